import type { z } from 'zod';

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

/** Who owns the options at a path: `source "catalog"` for `sources[0]...`; the first `depth` segments become the label. */
export interface IssueOwner {
  readonly label: string;
  readonly depth: number;
}

export type OwnerOf = (path: Path) => IssueOwner | undefined;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `upstream.retry.maxRetries`, `endpoint[1]`, `fallbacks["Query.getItem"]`. */
export function renderPath(path: Path): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (IDENTIFIER.test(String(segment))) text += text ? `.${String(segment)}` : String(segment);
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

/** A value as the user wrote it: numbers as numbers (NaN, Infinity), the rest as JSON, cut short. */
export function showValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function') return 'a function';
  if (value === undefined) return 'undefined';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  function: 'a function',
  record: 'an object',
};

/** Messages for the issues an option schema does not word itself (passed to zod as the parse's error map). */
export function describeIssue(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${EXPECTED[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${showValue(issue.values[0])}`
        : `must be one of ${issue.values.map((value) => (typeof value === 'string' ? value : showValue(value))).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'array') return `must have at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return 'must not be empty';
      return `must be ${issue.inclusive ? '>=' : '>'} ${issue.minimum}`;
    case 'too_big':
      return `must be ${issue.inclusive ? '<=' : '<'} ${issue.maximum}`;
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    default:
      return 'is not valid';
  }
}

/** zod parse options every option check uses: Loom's wording, and the value given kept for the message. */
export const PARSE_OPTIONS = { error: describeIssue, reportInput: true } as const;

interface Located {
  readonly issue: Issue;
  readonly path: Path;
}

const failsAtRoot = (issues: readonly Issue[]) =>
  issues.some((issue) => issue.path.length === 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_value'));

/**
 * A union (`retry: false | {...}`) reports every branch; show the branch the
 * value was meant for (the one whose shape it has), or one "must be X or Y"
 * when it has none of the shapes.
 */
function flatten(issue: Issue, prefix: Path): Located[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const meant = issue.errors.filter((branch) => !failsAtRoot(branch));
    if (meant.length > 0) {
      const closest = meant.reduce((best, branch) => (branch.length < best.length ? branch : best));
      return closest.flatMap((inner) => flatten(inner, path));
    }
    const wanted = issue.errors.flatMap((branch) =>
      branch.filter((inner) => inner.path.length === 0).map((inner) => inner.message.replace(/^must be /, '')),
    );
    return [{ issue: { ...issue, message: `must be ${[...new Set(wanted)].join(' or ')}` }, path }];
  }
  return [{ issue, path }];
}

/** One sentence per unknown key, with the key's path, e.g. `unknown key "upstream.retry.attemps" (did you mean ...)`. */
function unknownKeySentences(issue: Issue & { code: 'unrecognized_keys' }, at: string): string[] {
  const lines = issue.message.split('\n');
  return issue.keys.map((key, index) => {
    const line =
      lines.length === issue.keys.length && lines[index]!.includes('unknown key')
        ? lines[index]!
        : `unknown key "${key}"`;
    return at ? line.replace(/(unknown key|did you mean) "/g, `$1 "${at}.`) : line;
  });
}

/** One issue as a sentence, `upstream.retry.maxRetries must be an integer >= 0, got 1.5`. */
function sentence({ issue, path }: Located): string {
  const at = renderPath(path);
  if (issue.code === 'invalid_key') {
    const key = String(path[path.length - 1]);
    const message = issue.issues[0]?.message ?? 'is not a valid key';
    return `${renderPath(path.slice(0, -1))}: ${JSON.stringify(key)} ${message}`;
  }
  const discriminator = issue.code === 'invalid_union' ? issue.discriminator : undefined;
  const input = (issue as { input?: unknown }).input;
  const value =
    discriminator && input && typeof input === 'object' ? (input as Record<string, unknown>)[discriminator] : input;
  if (value === undefined && (issue.code === 'invalid_type' || discriminator)) return `${at} is required`;
  const got = 'input' in issue ? `, got ${showValue(value)}` : '';
  return `${at ? `${at} ` : ''}${issue.message}${got}`;
}

/** Where a path is in the input, as key positions, so problems can be listed in the order they are written. */
function positionOf(input: unknown, path: Path, keyIndexes: WeakMap<object, Map<string, number>>): number[] {
  const position: number[] = [];
  let node = input;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null) break;
    let indexes = keyIndexes.get(node);
    if (!indexes) keyIndexes.set(node, (indexes = new Map(Object.keys(node).map((key, index) => [key, index]))));
    const index = Array.isArray(node) ? Number(segment) : (indexes.get(String(segment)) ?? -1);
    position.push(index < 0 ? Number.MAX_SAFE_INTEGER : index);
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return position;
}

function comparePositions(a: readonly number[], b: readonly number[]): number {
  for (let index = 0; index < Math.min(a.length, b.length); index++)
    if (a[index] !== b[index]) return a[index]! - b[index]!;
  return a.length - b.length;
}

/**
 * One line per problem, `source "catalog": upstream.retry.maxRetries must be
 * an integer >= 0, got 1.5`: the owner (from `ownerOf`), the path below it,
 * the fault and the value given. Every issue is listed, in the order the
 * input (when given) has them; an unknown key is one problem.
 */
export function formatConfigIssues(
  issues: readonly Issue[],
  { ownerOf = () => undefined, input }: { ownerOf?: OwnerOf; input?: unknown } = {},
): string[] {
  // Key positions per object, computed once: a config with thousands of unknown keys stays linear.
  const keyIndexes = new WeakMap<object, Map<string, number>>();
  const problems = issues
    .flatMap((issue) => flatten(issue, []))
    .flatMap((located) => {
      const owner = ownerOf(located.path);
      const inner = owner ? { ...located, path: located.path.slice(owner.depth) } : located;
      const withOwner = (text: string) => (owner ? `${owner.label}: ${text}` : text);
      const { issue } = located;
      if (issue.code === 'unrecognized_keys')
        return unknownKeySentences(issue, renderPath(inner.path)).map((text, index) => ({
          text: withOwner(text),
          position: positionOf(input, [...located.path, issue.keys[index]!], keyIndexes),
        }));
      return [{ text: withOwner(sentence(inner)), position: positionOf(input, located.path, keyIndexes) }];
    });
  return problems.sort((a, b) => comparePositions(a.position, b.position)).map((problem) => problem.text);
}
