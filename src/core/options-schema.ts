import { z } from 'zod';

/**
 * Building blocks of Loom's option schemas (zod). Each layer declares the
 * schema of its own options with these, the config composes them, and the
 * option types are `z.input` of the schemas, so the types and the validation
 * cannot drift. Messages read as the end of "<path> ...": `must be a positive
 * integer`; formatConfigIssues adds the path and the value given.
 */

/**
 * Names other gateways use for a Loom option, so a habit gets a useful hint
 * even when the spelling is far off (`attempts` for `maxRetries`).
 */
const SYNONYMS: Readonly<Record<string, string>> = {
  attempts: 'maxRetries',
  retries: 'maxRetries',
  timeout: 'timeoutMs',
  url: 'endpoint',
  endpoints: 'endpoint',
  uri: 'endpoint',
  schema: 'spec',
  link: 'links',
};

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known key `key` was most likely meant to be, if one is close enough.
 * Hand-written: zod reports unknown keys but suggests nothing, and this is a
 * 15-line edit distance, not worth a dependency.
 */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  // No option name is this long: a key past it is no typo, and its edit distance would cost.
  if (key.length > 64) return undefined;
  const lower = key.toLowerCase();
  const closeEnough = (candidate: string) =>
    editDistance(lower, candidate.toLowerCase()) <= Math.max(1, Math.floor(Math.max(key.length, candidate.length) / 3));
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (closeEnough(candidate) && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  if (best) return best.key;
  const synonym = Object.keys(SYNONYMS).find((alias) => closeEnough(alias) && known.includes(SYNONYMS[alias]!));
  return synonym && SYNONYMS[synonym];
}

const MAX_HINTS = 50;

/** One line per unknown key: `unknown key "attemps" (did you mean "maxRetries"?)`; formatConfigIssues adds the path. */
export function describeUnknownKeys(keys: readonly string[], known: readonly string[]): string {
  return keys
    .map((key, index) => {
      // Hints for the first keys only: nobody reads past them, and a generated config may have thousands.
      const suggestion = index < MAX_HINTS ? suggestKey(key, known) : undefined;
      return suggestion
        ? `unknown key "${key}" (did you mean "${suggestion}"?)`
        : `unknown key "${key}" (known keys: ${known.join(', ')})`;
    })
    .join('\n');
}

/** A zod object that refuses unknown keys, naming the key it most likely meant. */
export function strictObject<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? describeUnknownKeys(issue.keys, known) : undefined),
  });
}

/** A number that passes `test`, with one message for every way it can fail (not a number, NaN, out of range). */
export function numberWhere(message: string, test: (value: number) => boolean) {
  return z.number({ error: message }).refine(test, { error: message });
}

export const positiveNumber = () => numberWhere('must be a positive number', (value) => value > 0);
export const nonNegativeNumber = () => numberWhere('must be a number >= 0', (value) => value >= 0);
export const positiveInteger = (unit = '') =>
  numberWhere(`must be a positive integer${unit}`, (value) => Number.isSafeInteger(value) && value > 0);
export const integerAtLeast = (min: number, unit = '') =>
  numberWhere(`must be an integer >= ${min}${unit}`, (value) => Number.isSafeInteger(value) && value >= min);
export const integerBetween = (min: number, max: number, unit = '') =>
  numberWhere(
    `must be an integer from ${min} to ${max}${unit}`,
    (value) => Number.isInteger(value) && value >= min && value <= max,
  );
/** A share, 0..1. */
export const ratio = () => numberWhere('must be a number from 0 to 1', (value) => value >= 0 && value <= 1);

export const nonEmptyString = (message = 'must be a non-empty string') =>
  z.string({ error: message }).min(1, { error: message });

export const stringList = (message = 'must be a list of strings') =>
  z.array(z.string({ error: 'must be a string' }), { error: message });

/** One of a few strings: `must be one of round-robin, least-outstanding`. */
export const oneOf = <const Values extends readonly [string, ...string[]]>(values: Values) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });

export const flag = () => z.boolean({ error: 'must be true or false' });

/** Names to strings, e.g. headers or renames. */
export const stringMap = (message = 'must be an object of strings') =>
  z.record(z.string(), z.string({ error: 'must be a string' }), { error: message });
