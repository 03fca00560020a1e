/** True for a promise or any thenable: what a value that may or may not be awaited must be checked with. */
export function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null | undefined)?.then === 'function';
}
