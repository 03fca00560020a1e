import {
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  Kind,
  TypeInfo,
  valueFromASTUntyped,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import type { ThreatPattern } from './threat-patterns';

/** One value an argument carries, found in an operation. */
export interface ArgumentValue {
  /** `Query.search.term`, `@include.if`, or `$name` for a variable's default. */
  coordinate: string;
  type: GraphQLInputType;
  value: unknown;
  /** Written in the document (checked for limits here), or passed as a variable (checked on arrival). */
  inline: boolean;
}

/** Every argument value of the document, with its schema coordinate and type. */
export function collectArgumentValues(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
): ArgumentValue[] {
  const found: ArgumentValue[] = [];
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      VariableDefinition(node) {
        const type = typeInfo.getInputType();
        if (node.defaultValue && type)
          found.push({
            coordinate: `$${node.variable.name.value}`,
            type,
            value: valueFromASTUntyped(node.defaultValue),
            inline: true,
          });
      },
      Argument(node) {
        const argument = typeInfo.getArgument();
        if (!argument) return false;
        const directive = typeInfo.getDirective();
        const owner = directive
          ? `@${directive.name}`
          : `${typeInfo.getParentType()?.name ?? '?'}.${typeInfo.getFieldDef()?.name ?? '?'}`;
        const inline = node.value.kind !== Kind.VARIABLE;
        found.push({
          coordinate: `${owner}.${argument.name}`,
          type: argument.type,
          value: inline ? valueFromASTUntyped(node.value, variables) : variables[node.value.name.value],
          inline,
        });
        return false;
      },
    }),
  );
  return found;
}

/**
 * Calls `onString` for every string under `value` with the field rules that
 * apply there: those of the argument's coordinate, plus those of each input
 * field coordinate (`ReviewInput.body`) on the way down.
 */
export function walkFieldRules(
  value: unknown,
  type: GraphQLInputType,
  path: string,
  inherited: readonly ThreatPattern[],
  rulesOf: (coordinate: string) => readonly ThreatPattern[] | undefined,
  onString: (text: string, path: string, patterns: readonly ThreatPattern[]) => void,
): void {
  if (value === null || value === undefined) return;
  const nullable = getNullableType(type) as GraphQLInputType;
  if (isListType(nullable)) {
    const items = Array.isArray(value) ? value : [value];
    items.forEach((item, index) =>
      walkFieldRules(item, nullable.ofType, `${path}.${index}`, inherited, rulesOf, onString),
    );
    return;
  }
  const named = getNamedType(nullable);
  if (isInputObjectType(named) && typeof value === 'object' && !Array.isArray(value)) {
    const fields = named.getFields();
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const field = fields[key];
      if (!field) continue;
      const own = rulesOf(`${named.name}.${key}`) ?? [];
      walkFieldRules(child, field.type, `${path}.${key}`, [...inherited, ...own], rulesOf, onString);
    }
    return;
  }
  if (inherited.length === 0) return;
  // A scalar: a string, or a JSON-like custom scalar whose strings all count.
  const pending: Array<{ item: unknown; at: string }> = [{ item: value, at: path }];
  while (pending.length > 0) {
    const { item, at } = pending.pop()!;
    if (typeof item === 'string') onString(item, at, inherited);
    else if (Array.isArray(item)) item.forEach((child, index) => pending.push({ item: child, at: `${at}.${index}` }));
    else if (item && typeof item === 'object')
      for (const [key, child] of Object.entries(item)) pending.push({ item: child, at: `${at}.${key}` });
  }
}
