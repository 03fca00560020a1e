import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Loom's HMAC request signature, one scheme both ways (Loom signs upstream
 * requests with it and verifies machine clients with it):
 *
 *   Authorization:  HMAC-SHA256 keyId="<id>", nonce="<nonce>", signature="<base64>"
 *   Date:           <IMF-fixdate, e.g. Sun, 29 Nov 2026 21:00:00 GMT>
 *   Content-Digest: sha-256=:<base64 SHA-256 of the body>:   (RFC 9530; empty body included)
 *
 * The signature is base64 HMAC-SHA256(secret, canonical string), where the
 * canonical string is these lines joined by "\n", with no trailing newline:
 *
 *   HMAC-SHA256
 *   <METHOD, upper case>
 *   <request target: path and query exactly as sent>
 *   <Date header value>
 *   <nonce>
 *   <base64 SHA-256 of the body>
 */
export const HMAC_SCHEME = 'HMAC-SHA256';

export interface SignedRequestParts {
  method: string;
  /** Path and query, as sent on the request line. */
  target: string;
  date: string;
  nonce: string;
  /** base64 SHA-256 of the body bytes. */
  bodyDigest: string;
}

export const bodyDigestOf = (body: string | Uint8Array | undefined) =>
  createHash('sha256')
    .update(body ?? '')
    .digest('base64');

export const canonicalString = (parts: SignedRequestParts) =>
  [HMAC_SCHEME, parts.method.toUpperCase(), parts.target, parts.date, parts.nonce, parts.bodyDigest].join('\n');

export const hmacSignature = (secret: string, parts: SignedRequestParts) =>
  createHmac('sha256', secret).update(canonicalString(parts)).digest('base64');

/** The headers that sign one request; a fresh nonce each call. */
export function signRequest(
  keyId: string,
  secret: string,
  request: { method: string; target: string; body?: string | Uint8Array },
  now: Date = new Date(),
): Record<string, string> {
  const parts: SignedRequestParts = {
    method: request.method,
    target: request.target,
    date: now.toUTCString(),
    nonce: randomBytes(16).toString('base64url'),
    bodyDigest: bodyDigestOf(request.body),
  };
  return {
    authorization: `${HMAC_SCHEME} keyId="${keyId}", nonce="${parts.nonce}", signature="${hmacSignature(secret, parts)}"`,
    date: parts.date,
    'content-digest': `sha-256=:${parts.bodyDigest}:`,
  };
}

/** The parameters of an `HMAC-SHA256 keyId=..., nonce=..., signature=...` header, or undefined when it is not one. */
export function parseHmacAuthorization(
  header: string,
): { keyId: string; nonce: string; signature: string } | undefined {
  const match = /^HMAC-SHA256 +(.*)$/i.exec(header);
  if (!match) return undefined;
  const params = new Map<string, string>();
  for (const part of match[1].split(',')) {
    const pair = /^ *([A-Za-z]+)="([A-Za-z0-9+/=_\-.:]{1,256})" *$/.exec(part);
    if (!pair || params.has(pair[1])) return undefined;
    params.set(pair[1], pair[2]);
  }
  const keyId = params.get('keyId');
  const nonce = params.get('nonce');
  const signature = params.get('signature');
  if (!keyId || !nonce || !signature || params.size !== 3) return undefined;
  return { keyId, nonce, signature };
}

/** Constant-time comparison of two base64 signatures. */
export function signaturesMatch(expected: string, received: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}
