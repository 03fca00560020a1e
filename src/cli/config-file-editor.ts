import ts from 'typescript';
import { ConfigError } from '../core/errors';

/**
 * Edits the `sources` list of a config file through its syntax tree (the
 * TypeScript compiler's parser): the list is found by structure, not by text,
 * and only its elements' spans change, so comments, quotes, indentation and
 * every other line of the file stay as the user wrote them. The compiler API
 * rather than ts-morph or magicast: it is one more dependency neither would
 * save, and a text splice at node positions is what they do underneath.
 */
export interface SourcesListEdit {
  /** Names of the sources written as object literals in the list, in order. */
  readonly names: readonly string[];
  /** The file with `entry` appended to the list, or put in place of the source of the same name. */
  withSource(entry: Readonly<Record<string, unknown>>): string;
  /** The file without the source named `name` (and the comment lines just above it). */
  withoutSource(name: string): string;
}

type Unwrappable =
  ts.ParenthesizedExpression | ts.AsExpression | ts.SatisfiesExpression | ts.TypeAssertion | ts.NonNullExpression;

function unwrap(expression: ts.Expression): ts.Expression {
  let current = expression;
  while (
    ts.isParenthesizedExpression(current) ||
    ts.isAsExpression(current) ||
    ts.isSatisfiesExpression(current) ||
    ts.isTypeAssertionExpression(current) ||
    ts.isNonNullExpression(current)
  )
    current = (current as Unwrappable).expression;
  return current;
}

/** `const name = <initializer>` at the top of the file. */
function topLevelInitializer(file: ts.SourceFile, name: string): ts.Expression | undefined {
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations)
      if (ts.isIdentifier(declaration.name) && declaration.name.text === name) return declaration.initializer;
  }
  return undefined;
}

/** `defineConfig({...})`, `{...} satisfies LoomConfig`, or a top-level const holding either. */
function configObject(
  file: ts.SourceFile,
  expression: ts.Expression,
  depth = 0,
): ts.ObjectLiteralExpression | undefined {
  const value = unwrap(expression);
  if (ts.isObjectLiteralExpression(value)) return value;
  if (ts.isCallExpression(value) && value.arguments.length === 1) return configObject(file, value.arguments[0]!, depth);
  if (ts.isIdentifier(value) && depth < 3) {
    const initializer = topLevelInitializer(file, value.text);
    return initializer && configObject(file, initializer, depth + 1);
  }
  return undefined;
}

function propertyNamed(object: ts.ObjectLiteralExpression, name: string): ts.ObjectLiteralElementLike | undefined {
  return object.properties.find(
    (property) =>
      property.name !== undefined &&
      (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) &&
      property.name.text === name,
  );
}

function findSourcesList(file: ts.SourceFile, shown: string): ts.ArrayLiteralExpression {
  const cannot = (why: string) =>
    new ConfigError(`${shown}: cannot edit the config: ${why}; add the source to it by hand`);
  const exported = file.statements.find(ts.isExportAssignment);
  if (!exported) throw cannot('it has no `export default`');
  const config = configObject(file, exported.expression);
  if (!config) throw cannot('its default export is not an object literal (or defineConfig({...}))');
  const property = propertyNamed(config, 'sources');
  const initializer =
    property && ts.isPropertyAssignment(property)
      ? property.initializer
      : property && ts.isShorthandPropertyAssignment(property)
        ? topLevelInitializer(file, property.name.text)
        : undefined;
  const list = initializer && unwrap(initializer);
  if (!list || !ts.isArrayLiteralExpression(list)) throw cannot('`sources` is not a list written in the file');
  return list;
}

function nameOf(element: ts.Expression): string | undefined {
  const value = unwrap(element);
  if (!ts.isObjectLiteralExpression(value)) return undefined;
  const property = propertyNamed(value, 'name');
  return property && ts.isPropertyAssignment(property) && ts.isStringLiteralLike(property.initializer)
    ? property.initializer.text
    : undefined;
}

interface Style {
  quote: "'" | '"';
  /** Indentation of the list's elements. */
  indent: string;
  /** One level of indentation. */
  unit: string;
}

function lineIndent(text: string, position: number): string {
  const lineStart = text.lastIndexOf('\n', position - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

function detectStyle(file: ts.SourceFile, list: ts.ArrayLiteralExpression): Style {
  const text = file.text;
  let quote: Style['quote'] = "'";
  const visit = (node: ts.Node): boolean => {
    if (ts.isStringLiteral(node)) {
      quote = node.getText(file).startsWith('"') ? '"' : "'";
      return true;
    }
    return ts.forEachChild(node, visit) ?? false;
  };
  visit(file);
  const listIndent = lineIndent(text, list.getStart(file));
  const first = list.elements[0];
  const multiline = first && text.slice(list.getStart(file), first.getStart(file)).includes('\n');
  const indent = multiline ? lineIndent(text, first.getStart(file)) : `${listIndent}  `;
  const unit = indent.length > listIndent.length ? indent.slice(listIndent.length) : '  ';
  return { quote, indent, unit };
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function printString(value: string, quote: Style['quote']): string {
  const escaped = JSON.stringify(value).slice(1, -1);
  return quote === '"' ? `"${escaped}"` : `'${escaped.replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

/** A JSON-like value as TypeScript source in the file's quote style; objects on one line when they fit. */
function printValue(value: unknown, style: Style, indent: string, maxWidth = 120): string {
  if (typeof value === 'string') return printString(value, style.quote);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((item) => printValue(item, style, indent, maxWidth)).join(', ')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    const key = (name: string) => (IDENTIFIER.test(name) ? name : printString(name, style.quote));
    const inner = `${indent}${style.unit}`;
    const flat = `{ ${entries.map(([name, item]) => `${key(name)}: ${printValue(item, style, inner, Infinity)}`).join(', ')} }`;
    if (indent.length + flat.length <= maxWidth) return flat;
    const lines = entries.map(([name, item]) => `${inner}${key(name)}: ${printValue(item, style, inner, maxWidth)},`);
    return `{\n${lines.join('\n')}\n${indent}}`;
  }
  throw new Error(`cannot print ${typeof value} in a config entry`);
}

/** The start of `element`'s first line, comment lines just above it included. */
function leadingStart(file: ts.SourceFile, element: ts.Node): number {
  const text = file.text;
  // Only comments that begin a line of their own: `a, // about a` stays with a.
  const comments = (ts.getLeadingCommentRanges(text, element.getFullStart()) ?? []).filter(
    (comment) => text.slice(text.lastIndexOf('\n', comment.pos - 1) + 1, comment.pos).trim() === '',
  );
  const start = comments.length > 0 ? comments[0]!.pos : element.getStart(file);
  return text.lastIndexOf('\n', start - 1) + 1;
}

function parse(text: string, shown: string): ts.SourceFile {
  const file = ts.createSourceFile(shown, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const diagnostics = (file as unknown as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics ?? [];
  if (diagnostics.length > 0) {
    const first = diagnostics[0]!;
    const { line, character } = file.getLineAndCharacterOfPosition(first.start ?? 0);
    throw new ConfigError(
      `${shown}:${line + 1}:${character + 1}: cannot edit the config: ${ts.flattenDiagnosticMessageText(first.messageText, ' ')}`,
    );
  }
  return file;
}

/** Parses a config file's text and finds its `sources` list; throws ConfigError naming the file when it cannot. */
export function editSourcesList(text: string, shown: string): SourcesListEdit {
  const file = parse(text, shown);
  const list = findSourcesList(file, shown);
  const style = detectStyle(file, list);
  const elements = list.elements;
  const names = elements.map(nameOf).filter((name): name is string => name !== undefined);
  const checked = (edited: string) => {
    findSourcesList(parse(edited, shown), shown);
    return edited;
  };
  const indexOf = (name: string) => elements.findIndex((element) => nameOf(element) === name);
  return {
    names,
    withSource(entry) {
      const printed = printValue(entry, style, style.indent);
      const existing = typeof entry.name === 'string' ? indexOf(entry.name) : -1;
      if (existing >= 0) {
        const element = elements[existing]!;
        return checked(text.slice(0, element.getStart(file)) + printed + text.slice(element.getEnd()));
      }
      const last = elements[elements.length - 1];
      if (!last) {
        const closeIndent = lineIndent(text, list.getStart(file));
        const open = list.getStart(file) + 1;
        return checked(
          `${text.slice(0, open)}\n${style.indent}${printed},\n${closeIndent}${text.slice(list.getEnd() - 1)}`,
        );
      }
      const multiline = text.slice(list.getStart(file), last.getStart(file)).includes('\n');
      const insertAt = elements.hasTrailingComma ? text.indexOf(',', last.getEnd()) + 1 : last.getEnd();
      const separator = elements.hasTrailingComma ? '' : ',';
      const trailing = elements.hasTrailingComma ? ',' : '';
      const addition = multiline ? `${separator}\n${style.indent}${printed}${trailing}` : `${separator} ${printed}`;
      return checked(text.slice(0, insertAt) + addition + text.slice(insertAt));
    },
    withoutSource(name) {
      const index = indexOf(name);
      if (index < 0) throw new ConfigError(`${shown}: no source "${name}" written in its sources list`);
      const element = elements[index]!;
      const elementStart = element.getStart(file);
      const afterElement = /^[ \t]*,?[ \t]*(\/\/[^\n]*)?(\r?\n|$)/.exec(text.slice(element.getEnd()));
      const ownLine = text.slice(text.lastIndexOf('\n', elementStart - 1) + 1, elementStart).trim() === '';
      if (ownLine && afterElement) {
        // The usual layout, an element on lines of its own: drop them, with the comment lines just above.
        return checked(
          text.slice(0, leadingStart(file, element)) + text.slice(element.getEnd() + afterElement[0].length),
        );
      }
      const next = elements[index + 1];
      const previous = elements[index - 1];
      if (next) return checked(text.slice(0, elementStart) + text.slice(next.getStart(file)));
      if (previous) return checked(text.slice(0, previous.getEnd()) + text.slice(element.getEnd()));
      const rest = text.slice(element.getEnd());
      return checked(text.slice(0, elementStart) + rest.slice(/^\s*,?/.exec(rest)![0].length));
    },
  };
}
