import { cacheControlFor, ifNoneMatchHits, weakEtagOf } from './http-cache-headers';

const JSON_TYPES = ['application/json', 'application/graphql-response+json'];

interface GetAnswerState {
  outcome?: 'HIT' | 'MISS';
  expiresAt?: number;
  personal: boolean;
  varyHeaders: readonly string[];
}

/**
 * Adds `Cache-Control`, `Vary` and (when cacheable) a weak `ETag` to a GET
 * answer with a JSON body; returns a 304 to send instead when the client's
 * `If-None-Match` names it. Streams (SSE subscriptions, multipart) and pages
 * are left alone.
 */
export async function describeGetAnswer(
  request: Request,
  response: Response,
  state: GetAnswerState,
): Promise<Response | undefined> {
  const type = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!JSON_TYPES.includes(type)) return undefined;
  const cacheControl = cacheControlFor({ ...state, status: response.status }, Date.now());
  response.headers.set('cache-control', cacheControl);
  // The body depends on the media type negotiated from Accept, and on each header the cache keys on.
  for (const name of ['accept', ...state.varyHeaders]) response.headers.append('vary', name);
  if (cacheControl === 'no-store') return undefined;
  const etag = weakEtagOf(new Uint8Array(await response.clone().arrayBuffer()));
  response.headers.set('etag', etag);
  if (!ifNoneMatchHits(request.headers.get('if-none-match'), etag)) return undefined;
  const headers = new Headers(response.headers);
  for (const name of ['content-type', 'content-length', 'content-encoding']) headers.delete(name);
  return new Response(null, { status: 304, headers });
}
