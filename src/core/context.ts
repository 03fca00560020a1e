/** What Loom puts in the GraphQL context of every request, as handlers see it. */
export interface GatewayContext {
  request?: Request;
  /** Per-request identity set by the auth policies. */
  identity?: RequestIdentity;
  /** Per-request state keyed by whoever needs it (dataloaders, call counts). */
  [key: string]: unknown;
}

export interface RequestIdentity {
  /** JWT subject or API key id. */
  subject?: string;
  plan?: string;
  scopes: readonly string[];
  kind: 'jwt' | 'apiKey' | 'anonymous';
  claims?: Record<string, unknown>;
}
