/**
 * prom-client's children for label sets, each made once: `metric.inc({...})`
 * and `observe({...}, v)` hash (sort and join) the labels on every call,
 * while a child from `labels(...)` keeps its hash. Label values must already
 * be bounded (bounded-label.ts); the cache is dropped past `maxEntries` all
 * the same.
 */
export function labelledChildren<Child>(
  make: (...values: string[]) => Child,
  maxEntries = 10_000,
): (...values: string[]) => Child {
  const children = new Map<string, Child>();
  return (...values) => {
    const key = values.join('\u0000');
    let child = children.get(key);
    if (child === undefined) {
      if (children.size >= maxEntries) children.clear();
      children.set(key, (child = make(...values)));
    }
    return child;
  };
}
