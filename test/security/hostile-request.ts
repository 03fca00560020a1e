import { SignJWT } from 'jose';
import { CORPUS_ISSUER, CORPUS_JWT_SECRET } from './fixtures/secure-bff';

/** One hostile request of the corpus (hostile-corpus.ts) and the answer Loom must give. */
export interface HostileRequest {
  readonly name: string;
  readonly bff: 'web' | 'mobile' | 'iot' | 'secure' | 'blocked';
  readonly method?: 'GET' | 'POST';
  /** Query string for GET (without '?'). */
  readonly search?: string;
  readonly headers?: Record<string, string>;
  /** A JSON value (serialized here), or raw bytes sent as they are. */
  readonly body?: unknown;
  readonly rawBody?: Buffer;
  /** Send the body with Transfer-Encoding: chunked and no Content-Length. */
  readonly chunked?: boolean;
  readonly expectStatus: number;
  /**
   * `extensions.code` one of the errors must carry; undefined when the answer
   * has no GraphQL body (415, 405) or graphql-js gives the error no code
   * (variable coercion).
   */
  readonly expectCode?: string;
  /** The answer must not hint at real field names. */
  readonly expectNoSuggestion?: boolean;
}

export const json = { 'content-type': 'application/json' };
export const repeat = (count: number, make: (index: number) => string, separator = ' ') =>
  Array.from({ length: count }, (_, index) => make(index)).join(separator);
export const post = (bff: HostileRequest['bff'], query: string, extra: Partial<HostileRequest> = {}) => ({
  bff,
  body: { query },
  headers: json,
  ...extra,
});

export async function corpusToken(
  options: { issuer?: string; secret?: string; expiresAt?: number | 'never'; alg?: 'HS256' | 'HS512' } = {},
): Promise<string> {
  const token = new SignJWT({ scope: 'all' })
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .setSubject('corpus-user')
    .setIssuer(options.issuer ?? CORPUS_ISSUER);
  if (options.expiresAt !== 'never') token.setExpirationTime(options.expiresAt ?? '5m');
  return token.sign(new TextEncoder().encode(options.secret ?? CORPUS_JWT_SECRET));
}

export function unsignedToken(): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'root', iss: CORPUS_ISSUER, exp: Math.floor(Date.now() / 1000) + 300 })}.`;
}

/** A valid credential for the `secure` BFF, so its non-auth rejections are tested past authentication. */
export const secureAuth = async () => ({ ...json, authorization: `Bearer ${await corpusToken()}` });
