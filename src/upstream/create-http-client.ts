import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';
import { upstreamTimeout, upstreamUnavailable } from '../errors';
import { injectTraceHeaders } from '../observability/inject-trace-headers';

export interface HttpClientOptions {
  /** Source name, for errors. */
  source: string;
  /** Per-call timeout in milliseconds. @default 10000 */
  timeoutMs?: number;
  /** Connections kept open per origin. @default 64 */
  maxConnections?: number;
}

/** A fetch bound to one source: keep-alive pool, timeout and typed network errors. */
export type UpstreamFetch = (url: string, init?: RequestInit) => Promise<Response>;

export interface HttpClient {
  fetch: UpstreamFetch;
  close(): Promise<void>;
}

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function createHttpClient({ source, timeoutMs = 10_000, maxConnections = 64 }: HttpClientOptions): HttpClient {
  const agent = new Agent({ connections: maxConnections, keepAliveTimeout: 30_000, pipelining: 1 });
  const fetch: UpstreamFetch = async (url, init = {}) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      const headers = injectTraceHeaders(init.headers); // W3C traceparent of the active upstream span
      const response = await undiciFetch(url, { ...(init as UndiciRequestInit), headers, signal, dispatcher: agent });
      return response as unknown as Response;
    } catch (error) {
      if (timeout.aborted) throw upstreamTimeout(source, timeoutMs);
      const code = networkCode(error);
      if (code && CONNECTION_ERRORS.has(code)) throw upstreamUnavailable(source, code, error);
      throw upstreamUnavailable(source, (error as Error).message, error);
    }
  };
  return { fetch, close: () => agent.close() };
}
