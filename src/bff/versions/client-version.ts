/** A client name worth a metric label and a log field; anything else is reported as `invalid`. */
const CLIENT_NAME = /^[\w.@/+:-][\w .@/+:-]{0,63}$/;
const CLIENT_VERSION = /^[\w.+-]{1,32}$/;
const DOTTED = /^(\d{1,6})(?:\.(\d{1,6}))?(?:\.(\d{1,6}))?(?:\.(\d{1,6}))?(?:[-+][\w.+-]*)?$/;

/**
 * `2.1.0`, `2.1`, `2.1.0-beta.1` -> [2, 1, 0]; undefined for anything else.
 * App versions are compared as dotted numbers only: pre-release tags are
 * ignored (a build of 2.0.0-rc counts as 2.0.0), which is what routing by
 * app release needs, and keeps a full semver range parser out of the hot path.
 */
export function parseClientVersion(text: string): number[] | undefined {
  const match = DOTTED.exec(text.trim());
  if (!match) return undefined;
  return match
    .slice(1)
    .filter((part) => part !== undefined)
    .map(Number);
}

export function compareClientVersions(left: readonly number[], right: readonly number[]): number {
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

export interface ClientIdentity {
  /** The client's name header, `unknown` when absent, `invalid` when not a plain name of up to 64 characters. */
  readonly name: string;
  /** Same rules, up to 32 characters. */
  readonly version: string;
}

function clean(value: string | null, pattern: RegExp): string {
  if (value === null || value.trim() === '') return 'unknown';
  const trimmed = value.trim();
  return pattern.test(trimmed) ? trimmed : 'invalid';
}

/** Who is calling, from the configured client headers; never echoes an unsafe or oversized value. */
export function readClientIdentity(
  readHeader: (name: string) => string | null,
  headers: { readonly name: string; readonly version: string },
): ClientIdentity {
  return {
    name: clean(readHeader(headers.name), CLIENT_NAME),
    version: clean(readHeader(headers.version), CLIENT_VERSION),
  };
}
