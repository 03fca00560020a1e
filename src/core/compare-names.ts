/** Identifier-like names: letters, digits, `_`, `-` and `.` (GraphQL, protobuf and WSDL names, BFF file names). */
const IDENTIFIER = /^[A-Za-z0-9_.-]*$/;
/** The root collation's primary order of those characters: punctuation, then digits, then letters, case aside. */
const PRIMARY_ORDER = '_-.0123456789abcdefghijklmnopqrstuvwxyz';

const primaryWeight = (char: string) => PRIMARY_ORDER.indexOf(char.toLowerCase());

/**
 * `left.localeCompare(right)`'s order (-1, 0 or 1), without building ICU's
 * collator for identifier-like names: the first localeCompare in a process
 * costs tens of milliseconds, a visible share of a cold start. Names are
 * compared case-blind first, then lowercase before uppercase at the first
 * difference, as the root collation does; any other string goes to
 * localeCompare. test/core/compare-names.test.ts checks the two agree.
 */
export function compareNames(left: string, right: string): number {
  if (!IDENTIFIER.test(left) || !IDENTIFIER.test(right)) return Math.sign(left.localeCompare(right));
  const shorter = Math.min(left.length, right.length);
  for (let index = 0; index < shorter; index++) {
    const difference = primaryWeight(left[index]!) - primaryWeight(right[index]!);
    if (difference !== 0) return Math.sign(difference);
  }
  if (left.length !== right.length) return left.length < right.length ? -1 : 1;
  for (let index = 0; index < shorter; index++)
    if (left[index] !== right[index]) return left[index] === left[index]!.toLowerCase() ? -1 : 1;
  return 0;
}
