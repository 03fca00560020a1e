/**
 * Start-up checks for policy options: a mistake in a BFF file fails when the
 * gateway starts, with the policy and option named, never on the first request.
 */
export class PolicyOptionError extends Error {
  constructor(policy: string, message: string) {
    super(`${policy}: ${message}`);
    this.name = 'PolicyOptionError';
  }
}

export function requirePositiveInteger(policy: string, name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new PolicyOptionError(policy, `${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
}

export function requireOneOf<T extends string>(
  policy: string,
  name: string,
  value: unknown,
  allowed: readonly T[],
): asserts value is T {
  if (!allowed.includes(value as T)) {
    throw new PolicyOptionError(policy, `${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
}

export function requireNonEmptyString(policy: string, name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new PolicyOptionError(policy, `${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
}

export function requireStringList(policy: string, name: string, value: unknown): asserts value is string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
    throw new PolicyOptionError(policy, `${name} must be a list of non-empty strings, got ${JSON.stringify(value)}`);
  }
}
