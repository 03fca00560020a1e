import { createRemoteJWKSet, importSPKI, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type KeyLike } from 'jose';
import { unauthenticated } from '../../core/errors';
import type { RequestIdentity } from '../../core/context';
import { PolicyOptionError, requireNonEmptyString, requirePositiveInteger } from '../shared/option-checks';

export type JwtAlgorithm = 'HS256' | 'RS256' | 'ES256';

/** How Loom checks a `Authorization: Bearer <jwt>` token. Give exactly one of `secret`, `publicKey`, `jwksUrl`. */
export interface JwtOptions {
  /** Shared secret for HS256, at least 32 characters. Read it from the environment, never commit it. */
  secret?: string;
  /** PEM (SPKI) public key for RS256 or ES256. */
  publicKey?: string;
  /** JWKS URL. Keys are cached; a token with an unknown `kid` refetches the set (key rotation). */
  jwksUrl?: string;
  /** Least time between two JWKS fetches, in ms. @default 30000 */
  jwksCooldownMs?: number;
  /** Longest time a fetched JWKS is trusted, in ms. @default 600000 */
  jwksMaxAgeMs?: number;
  /** Accepted algorithms. @default ['HS256'] with a secret, ['RS256'] with a public key, ['RS256', 'ES256'] with a JWKS */
  algorithms?: JwtAlgorithm[];
  /** Required `iss` claim (one of). */
  issuer?: string | string[];
  /** Required `aud` claim (one of). */
  audience?: string | string[];
  /** Allowed clock skew for `exp`/`nbf`, in seconds. @default 5 */
  clockToleranceSeconds?: number;
  /**
   * Accept tokens that carry no `exp` claim. Such a token, once leaked, works
   * forever; only for issuers that cannot set one. @default false
   */
  allowTokensWithoutExpiry?: boolean;
  /** Claim holding the scopes: a space-separated string or a list. @default 'scope' (then 'scp') */
  scopesClaim?: string;
  /** Claim holding the client's plan (rate limits key on it). @default 'plan' */
  planClaim?: string;
}

const ALGORITHMS: readonly JwtAlgorithm[] = ['HS256', 'RS256', 'ES256'];

export type JwtVerifier = (token: string) => Promise<RequestIdentity>;

function validateJwtOptions(options: JwtOptions): void {
  const policy = 'useAuth jwt';
  const keySources = [options.secret, options.publicKey, options.jwksUrl].filter((value) => value !== undefined);
  if (keySources.length !== 1) throw new PolicyOptionError(policy, 'give exactly one of secret, publicKey, jwksUrl');
  if (options.secret !== undefined && (typeof options.secret !== 'string' || options.secret.length < 32)) {
    throw new PolicyOptionError(policy, 'secret must be at least 32 characters');
  }
  if (options.publicKey !== undefined) requireNonEmptyString(policy, 'publicKey', options.publicKey);
  if (options.jwksUrl !== undefined) {
    requireNonEmptyString(policy, 'jwksUrl', options.jwksUrl);
    if (!/^https?:\/\//.test(options.jwksUrl))
      throw new PolicyOptionError(policy, `jwksUrl must be an http(s) URL, got ${options.jwksUrl}`);
  }
  for (const algorithm of options.algorithms ?? []) {
    if (!ALGORITHMS.includes(algorithm))
      throw new PolicyOptionError(
        policy,
        `algorithm ${JSON.stringify(algorithm)} is not one of ${ALGORITHMS.join(', ')}`,
      );
  }
  if (options.secret !== undefined && options.algorithms?.some((algorithm) => algorithm !== 'HS256')) {
    throw new PolicyOptionError(policy, 'a secret only verifies HS256');
  }
  if (options.publicKey !== undefined && options.algorithms && options.algorithms.length !== 1) {
    throw new PolicyOptionError(policy, 'a publicKey verifies exactly one algorithm (RS256 or ES256)');
  }
  if (options.jwksCooldownMs !== undefined && options.jwksCooldownMs !== 0)
    requirePositiveInteger(policy, 'jwksCooldownMs', options.jwksCooldownMs);
  if (options.jwksMaxAgeMs !== undefined) requirePositiveInteger(policy, 'jwksMaxAgeMs', options.jwksMaxAgeMs);
  if (options.allowTokensWithoutExpiry !== undefined && typeof options.allowTokensWithoutExpiry !== 'boolean') {
    throw new PolicyOptionError(
      policy,
      `allowTokensWithoutExpiry must be a boolean, got ${JSON.stringify(options.allowTokensWithoutExpiry)}`,
    );
  }
}

/** Scopes from a claim that is either `"a b c"` or `["a", "b"]`. */
export function readScopes(payload: JWTPayload, claim?: string): string[] {
  const value = claim ? payload[claim] : (payload.scope ?? payload.scp);
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

/** jose's error codes, in words a client can act on (no key material, no stack). */
function describeJoseError(error: unknown): string {
  const { code, claim, reason } = (error ?? {}) as { code?: string; claim?: string; reason?: string };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'token expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return reason === 'missing' ? `claim "${claim}" is required` : `claim "${claim}" is not accepted`;
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'signature does not verify';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'algorithm not allowed';
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'no matching key';
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
    case 'ERR_JOSE_GENERIC':
      return 'signing keys unavailable';
    default:
      // Node system errors (ECONNREFUSED, ENOTFOUND...) come from fetching the JWKS.
      return code && /^E[A-Z]+$/.test(code) ? 'signing keys unavailable' : 'malformed token';
  }
}

function createKeyResolver(options: JwtOptions): {
  key: () => Promise<KeyLike | Uint8Array | JWTVerifyGetKey>;
  algorithms: JwtAlgorithm[];
} {
  if (options.secret !== undefined) {
    const secret = new TextEncoder().encode(options.secret);
    return { key: async () => secret, algorithms: ['HS256'] };
  }
  if (options.publicKey !== undefined) {
    const [algorithm] = options.algorithms ?? ['RS256'];
    let imported: Promise<KeyLike> | undefined;
    const publicKey = options.publicKey;
    return { key: () => (imported ??= importSPKI(publicKey, algorithm)), algorithms: [algorithm] };
  }
  // One remote set per policy instance: jose caches it and refetches on an unknown kid (rotation).
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl as string), {
    cooldownDuration: options.jwksCooldownMs ?? 30_000,
    cacheMaxAge: options.jwksMaxAgeMs ?? 600_000,
    timeoutDuration: 5_000,
  });
  return { key: async () => jwks, algorithms: options.algorithms ?? ['RS256', 'ES256'] };
}

/** Builds the JWT check once, at start-up; each call verifies one token into an identity or throws 401. */
export function createJwtVerifier(options: JwtOptions): JwtVerifier {
  validateJwtOptions(options);
  const resolver = createKeyResolver(options);
  const verifyOptions = {
    algorithms: resolver.algorithms,
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.clockToleranceSeconds ?? 5,
    // jose checks `exp` only when present: a token without one would never expire.
    requiredClaims: options.allowTokensWithoutExpiry ? [] : ['exp'],
  };
  return async (token) => {
    let payload: JWTPayload;
    try {
      const key = await resolver.key();
      // jose rejects `alg: none` and any algorithm outside `algorithms` before checking the signature.
      ({ payload } =
        typeof key === 'function'
          ? await jwtVerify(token, key, verifyOptions)
          : await jwtVerify(token, key, verifyOptions));
    } catch (error) {
      throw unauthenticated(`Invalid token: ${describeJoseError(error)}`);
    }
    const plan = payload[options.planClaim ?? 'plan'];
    return {
      kind: 'jwt',
      subject: payload.sub,
      scopes: readScopes(payload, options.scopesClaim),
      ...(typeof plan === 'string' && { plan }),
      claims: payload as Record<string, unknown>,
    };
  };
}
