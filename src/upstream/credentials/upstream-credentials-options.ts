import type { SecretRef } from './secret-ref';

export type { SecretRef };

/** OAuth2 client credentials grant (RFC 6749 4.4): Loom fetches a token and sends it as `Authorization: Bearer`. */
export interface OAuth2ClientCredentialsOptions {
  /** The authorization server's token endpoint. */
  tokenUrl: string;
  clientId: string;
  clientSecret: SecretRef;
  /** Scopes to ask for, space-separated in the request. */
  scopes?: string[];
  /** `audience` form parameter (Auth0, Okta and others want one). */
  audience?: string;
  /** Fetch a new token this long before the current one expires, in ms. @default 30000 */
  refreshBeforeExpiryMs?: number;
  /** Deadline of one token request, in ms. @default 5000 */
  timeoutMs?: number;
}

/** Signs every upstream request with an HMAC over method, target, date, nonce and body digest (the scheme in README: HMAC signatures). */
export interface HmacSigningOptions {
  /** Key id the upstream looks the secret up by. */
  keyId: string;
  secret: SecretRef;
}

/** Client certificate (mTLS) and trusted CA for an HTTPS source: PEM files. */
export interface UpstreamTlsOptions {
  /** CA bundle that signs the upstream's certificate. @default the system's roots */
  ca?: string;
  /** Client certificate chain (PEM file). */
  cert?: string;
  /** Client private key (PEM file); keep it out of the repo. */
  key?: string;
}

/**
 * How Loom proves itself to a source. At most one of `bearer`, `oauth2`, `hmac`
 * (they all set `Authorization`); `tls` goes with any of them.
 */
export interface UpstreamCredentialsOptions {
  /** A static bearer token. */
  bearer?: SecretRef;
  oauth2?: OAuth2ClientCredentialsOptions;
  hmac?: HmacSigningOptions;
  /** mTLS for HTTP sources (gRPC sources take the source's `tls`). */
  tls?: UpstreamTlsOptions;
}
