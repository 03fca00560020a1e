/** What a label becomes once its cap of distinct values is reached. */
export const OVERFLOW_LABEL = 'other';

/**
 * Keeps a Prometheus label's cardinality bounded: the first `maxValues`
 * distinct values pass through, every later one becomes `other`. One instance
 * per BFF (or per source), never module-level.
 */
export function createBoundedLabel(maxValues: number): (value: string) => string {
  if (!Number.isInteger(maxValues) || maxValues < 1)
    throw new Error(`maxValues must be a positive integer, got ${maxValues}`);
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= maxValues) return OVERFLOW_LABEL;
    seen.add(value);
    return value;
  };
}
