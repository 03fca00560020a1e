import type { Plugin } from 'graphql-yoga';

export interface SecurityHeadersOptions {
  /** Send Strict-Transport-Security (only when Loom is served over HTTPS, directly or behind a proxy). @default false */
  hsts?: boolean;
  /** max-age of Strict-Transport-Security, in seconds. @default 31536000 */
  hstsMaxAgeSeconds?: number;
  /** Extra or overriding headers, e.g. `{ 'permissions-policy': 'camera=()' }`. @default {} */
  headers?: Record<string, string>;
}

/** Headers every API response should carry: no sniffing, no framing, no referrer, a locked-down CSP for data responses. */
export function useSecurityHeaders({
  hsts = false,
  hstsMaxAgeSeconds = 31_536_000,
  headers = {},
}: SecurityHeadersOptions = {}): Plugin {
  const fixed: Record<string, string> = {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    ...(hsts && { 'strict-transport-security': `max-age=${hstsMaxAgeSeconds}; includeSubDomains` }),
    ...headers,
  };
  return {
    onResponse({ response }) {
      for (const [name, value] of Object.entries(fixed)) response.headers.set(name, value);
      // GraphiQL is an HTML page with scripts: leave its CSP alone; data responses need none of that.
      if (
        !(response.headers.get('content-type') ?? '').startsWith('text/html') &&
        !response.headers.has('content-security-policy')
      ) {
        response.headers.set('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
      }
      response.headers.delete('x-powered-by');
    },
  };
}
