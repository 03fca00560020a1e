import type { Plugin } from 'graphql-yoga';
import { PolicyOptionError, requirePositiveInteger, requireStringList } from '../shared/option-checks';

export interface CorsPolicyOptions {
  /** Exact origins allowed to call this BFF from a browser, e.g. `['https://shop.example.com']`. `[]` allows none. */
  origins: string[];
  /** Whether browsers may send cookies / HTTP auth. @default false */
  credentials?: boolean;
  /** Request headers a browser may send. @default ['content-type', 'authorization', 'x-api-key', 'x-graphql-csrf'] */
  allowedHeaders?: string[];
  /** Response headers a browser may read. @default ['retry-after', 'x-request-id'] */
  exposedHeaders?: string[];
  /** How long a browser may cache a preflight, in seconds. @default 600 */
  maxAgeSeconds?: number;
}

const CORS_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-expose-headers',
  'access-control-max-age',
];

function validateOrigins(origins: string[]): void {
  requireStringList('useCorsPolicy', 'origins', origins);
  for (const origin of origins) {
    if (origin === '*') throw new PolicyOptionError('useCorsPolicy', 'list origins explicitly; "*" is not allowed');
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new PolicyOptionError('useCorsPolicy', `origin "${origin}" is not a URL`);
    }
    if (parsed.origin !== origin)
      throw new PolicyOptionError(
        'useCorsPolicy',
        `origin "${origin}" must be scheme://host[:port] without a path or trailing slash`,
      );
  }
}

/**
 * CORS per BFF from an origin list. Yoga's built-in CORS answers preflights and
 * reflects any origin; this policy runs after it on every response and rewrites
 * the CORS headers: listed origins get them, any other origin gets none, so
 * the browser blocks the call.
 */
export function useCorsPolicy(options: CorsPolicyOptions): Plugin {
  validateOrigins(options.origins);
  const {
    credentials = false,
    allowedHeaders = ['content-type', 'authorization', 'x-api-key', 'x-graphql-csrf'],
    exposedHeaders = ['retry-after', 'x-request-id'],
    maxAgeSeconds = 600,
  } = options;
  requireStringList('useCorsPolicy', 'allowedHeaders', allowedHeaders);
  requireStringList('useCorsPolicy', 'exposedHeaders', exposedHeaders);
  requirePositiveInteger('useCorsPolicy', 'maxAgeSeconds', maxAgeSeconds);
  const allowed = new Set(options.origins);
  return {
    onResponse({ request, response }) {
      for (const header of CORS_HEADERS) response.headers.delete(header);
      const origin = request.headers.get('origin');
      response.headers.set('vary', 'Origin');
      if (origin === null || !allowed.has(origin)) return;
      response.headers.set('access-control-allow-origin', origin);
      if (credentials) response.headers.set('access-control-allow-credentials', 'true');
      if (exposedHeaders.length > 0) response.headers.set('access-control-expose-headers', exposedHeaders.join(', '));
      if (request.method === 'OPTIONS') {
        response.headers.set('access-control-allow-methods', 'GET, POST, OPTIONS');
        response.headers.set('access-control-allow-headers', allowedHeaders.join(', '));
        response.headers.set('access-control-max-age', String(maxAgeSeconds));
      }
    },
  };
}
