import { z } from 'zod';
import type { SecretRef } from './secret-ref';
import { credentialsFault } from './validate-credentials-options';

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

/**
 * The config schema of `credentials`. Checked by credentialsFault rather than
 * zod's own shapes, so no message ever quotes a value: a secret written where
 * `{ env }` or `{ file }` belongs must not end up in the error that refuses it.
 */
export function upstreamCredentialsSchema(transport: 'http' | 'grpc') {
  return z
    .custom<UpstreamCredentialsOptions>(() => true)
    .superRefine((value, context) => {
      const fault = credentialsFault(value, transport);
      if (!fault) return;
      // "credentials.oauth2.tokenUrl must be ..." -> path [oauth2, tokenUrl] and the rest as the message.
      const nested = /^credentials\.([A-Za-z0-9.]+):? (.*)$/s.exec(fault);
      const path = nested ? nested[1].split('.') : [];
      const message = nested ? nested[2] : fault.replace(/^credentials(?::)? /, '');
      context.addIssue({ code: 'custom', message, path, params: { hideValue: true } });
    });
}
