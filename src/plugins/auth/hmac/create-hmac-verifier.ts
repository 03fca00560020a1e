import { readCappedStream } from '../../../core/read-capped-stream';
import { authUnavailable, payloadTooLarge, unauthenticated } from '../../../core/errors';
import type { RequestIdentity } from '../../../core/context';
import type { Logger } from '../../../core/logger';
import {
  bodyDigestOf,
  hmacSignature,
  parseHmacAuthorization,
  signaturesMatch,
} from '../../../upstream/credentials/hmac-canonical-request';
import { PolicyOptionError, requireNonEmptyString, requirePositiveInteger } from '../../shared/option-checks';
import type { NonceStore } from './nonce-store';

/** One machine client's signing key. */
export interface HmacKeyEntry {
  /** Key id the client names in `keyId="..."`: the identity's subject. */
  keyId: string;
  /** Shared secret, at least 32 characters. From the environment or a secret store, never the repo. */
  secret: string;
  plan?: string;
  /** @default [] */
  scopes?: string[];
}

/**
 * HMAC request signatures for machine clients (the scheme is in README
 * "HMAC request signatures"): `Authorization: HMAC-SHA256 keyId, nonce, signature`,
 * `Date` and `Content-Digest`.
 */
export interface HmacAuthOptions {
  /** Known keys. Give `keys`, `lookup`, or both (the list is tried first). */
  keys?: HmacKeyEntry[];
  /** Finds a key by id elsewhere; resolves to undefined/null for an unknown id. */
  lookup?: (keyId: string) => Promise<HmacKeyEntry | null | undefined> | HmacKeyEntry | null | undefined;
  /** Largest difference between the `Date` header and Loom's clock, in seconds. @default 300 */
  clockSkewSeconds?: number;
  /** Largest body Loom reads to check its digest, in bytes (put a body limit before useAuth too). @default 1048576 */
  maxBodyBytes?: number;
}

export function validateHmacOptions(options: HmacAuthOptions): void {
  const policy = 'useAuth hmac';
  if (!options.keys && !options.lookup) throw new PolicyOptionError(policy, 'give keys, lookup, or both');
  if (options.lookup !== undefined && typeof options.lookup !== 'function')
    throw new PolicyOptionError(policy, 'lookup must be a function');
  const ids = new Set<string>();
  for (const [index, entry] of (options.keys ?? []).entries()) {
    requireNonEmptyString(policy, `keys[${index}].keyId`, entry.keyId);
    if (typeof entry.secret !== 'string' || entry.secret.length < 32)
      throw new PolicyOptionError(policy, `keys[${index}] ("${entry.keyId}"): secret must be at least 32 characters`);
    if (ids.has(entry.keyId)) throw new PolicyOptionError(policy, `keys[${index}]: keyId "${entry.keyId}" repeats`);
    ids.add(entry.keyId);
  }
  if (options.clockSkewSeconds !== undefined)
    requirePositiveInteger(policy, 'clockSkewSeconds', options.clockSkewSeconds);
  if (options.maxBodyBytes !== undefined) requirePositiveInteger(policy, 'maxBodyBytes', options.maxBodyBytes);
}

/**
 * Reads a request body whole, refusing it (413) past `maxBytes`. The caller
 * hands the bytes on to Yoga's parser: a stream is read once.
 */
export async function readBodyCapped(request: Request, maxBytes: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array();
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw payloadTooLarge(maxBytes);
  return readCappedStream(request.body, maxBytes, () => payloadTooLarge(maxBytes));
}

/** The request's body bytes, read at most once and capped at `maxBytes`. */
export type BodyReader = (maxBytes: number) => Promise<Uint8Array>;

export type HmacVerifier = (
  request: Request,
  url: URL,
  authorization: string,
  readBody: BodyReader,
) => Promise<RequestIdentity>;

/**
 * Builds the signature check. A request passes only when every part holds:
 * a known key, a Date within the skew window, a body matching its digest, a
 * signature over method, target, date, nonce and digest, and a nonce never
 * seen in the window (checked last, so unsigned junk cannot fill the store).
 * A nonce store that fails refuses the request (503): replay protection is
 * not silently dropped.
 */
export function createHmacVerifier(
  options: HmacAuthOptions,
  parts: { nonces: NonceStore; logger: Logger; now?: () => number },
): HmacVerifier {
  validateHmacOptions(options);
  const { nonces, logger, now = Date.now } = parts;
  const byId = new Map((options.keys ?? []).map((entry) => [entry.keyId, entry]));
  const skewMs = (options.clockSkewSeconds ?? 300) * 1000;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const refuse = (reason: string) => unauthenticated(`Invalid signature: ${reason}`);

  return async (request, url, authorization, readBody) => {
    const params = parseHmacAuthorization(authorization);
    if (!params) throw refuse('send HMAC-SHA256 keyId="...", nonce="...", signature="..."');
    const entry = byId.get(params.keyId) ?? (options.lookup ? await options.lookup(params.keyId) : undefined);
    if (!entry) throw refuse('unknown key');
    const date = request.headers.get('date');
    const signedAt = date === null ? NaN : Date.parse(date);
    if (Number.isNaN(signedAt)) throw refuse('a Date header is required');
    if (Math.abs(now() - signedAt) > skewMs) throw refuse('Date is outside the allowed clock skew');
    const bodyDigest = bodyDigestOf(await readBody(maxBodyBytes));
    if (request.headers.get('content-digest') !== `sha-256=:${bodyDigest}:`)
      throw refuse('the body does not match Content-Digest');
    const expected = hmacSignature(entry.secret, {
      method: request.method,
      target: `${url.pathname}${url.search}`,
      date: date as string,
      nonce: params.nonce,
      bodyDigest,
    });
    if (!signaturesMatch(expected, params.signature)) throw refuse('signature does not verify');
    let fresh: boolean;
    try {
      // Kept for the whole window on both sides of now: a request dated up to skew ahead stays a replay until it is stale.
      fresh = await nonces.remember(`${params.keyId}:${params.nonce}`, 2 * skewMs);
    } catch (error) {
      logger.warn({ component: 'hmac-auth', err: (error as Error).message }, 'nonce store unavailable');
      throw authUnavailable('Signature replay check unavailable; request refused');
    }
    if (!fresh) throw refuse('nonce already used');
    return {
      kind: 'hmac',
      subject: entry.keyId,
      scopes: [...(entry.scopes ?? [])],
      ...(entry.plan !== undefined && { plan: entry.plan }),
    };
  };
}
