/** What Loom puts in the GraphQL context of every request, as handlers see it. */
export interface GatewayContext {
  request?: Request;
  /** Per-request identity set by the auth policies. */
  identity?: RequestIdentity;
  /** Per-request state keyed by whoever needs it (dataloaders, call counts). */
  [key: string]: unknown;
}

export interface RequestIdentity {
  /** JWT subject, OAuth2 token subject (or client id), API key id, HMAC key id or client certificate subject. */
  subject?: string;
  plan?: string;
  scopes: readonly string[];
  kind: 'jwt' | 'oauth' | 'apiKey' | 'hmac' | 'clientCert' | 'anonymous';
  claims?: Record<string, unknown>;
}
