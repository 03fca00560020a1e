import type { IncomingMessage } from 'node:http';

/**
 * Headers that describe the HTTP exchange itself, or that a client must not
 * set for the gateway (addresses, cookies); never taken from either source.
 */
const TRANSPORT_HEADERS = new Set([
  'host',
  'connection',
  'upgrade',
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'accept',
  'accept-encoding',
  'cookie',
  'origin',
  'te',
  'trailer',
  'keep-alive',
  'expect',
]);

/** Only a proxy in front of the gateway may name the caller's address; a `connection_init` payload never does. */
const PROXY_HEADERS = new Set(['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'forwarded', 'x-real-ip']);

/** Most header entries a `connection_init` payload may carry. */
const MAX_PAYLOAD_HEADERS = 32;
/** Longest header value taken from a payload (a JWT fits with room to spare). */
const MAX_HEADER_VALUE_CHARS = 8_192;

export class ConnectionParamsError extends Error {}

/** `{ authorization, 'x-api-key' }` or Apollo's `{ headers: { Authorization } }`: both shapes clients send. */
function payloadEntries(payload: Readonly<Record<string, unknown>> | undefined): Array<[string, unknown]> {
  if (!payload) return [];
  const { headers, ...rest } = payload;
  const nested = headers && typeof headers === 'object' && !Array.isArray(headers) ? Object.entries(headers) : [];
  return [...Object.entries(rest), ...nested];
}

/**
 * The headers each operation of a connection is sent with: the upgrade
 * request's (what a server-side client set, and what a proxy added), then the
 * `connection_init` payload's string entries, which a browser client can only
 * send this way. Non-string payload entries are ignored (clients send flags);
 * invalid names or values refuse the connection.
 */
export function connectionHeaders(
  upgrade: IncomingMessage,
  payload: Readonly<Record<string, unknown>> | undefined,
): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(upgrade.headers)) {
    if (value === undefined || TRANSPORT_HEADERS.has(name) || name.startsWith('sec-websocket-')) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const entries = payloadEntries(payload).filter(([, value]) => typeof value === 'string');
  if (entries.length > MAX_PAYLOAD_HEADERS)
    throw new ConnectionParamsError(`connection_init payload carries more than ${MAX_PAYLOAD_HEADERS} headers`);
  for (const [rawName, value] of entries) {
    const name = rawName.toLowerCase();
    if (TRANSPORT_HEADERS.has(name) || PROXY_HEADERS.has(name) || name.startsWith('sec-websocket-')) continue;
    if ((value as string).length > MAX_HEADER_VALUE_CHARS)
      throw new ConnectionParamsError(
        `connection_init payload header "${name}" exceeds ${MAX_HEADER_VALUE_CHARS} characters`,
      );
    try {
      headers.set(name, value as string);
    } catch {
      throw new ConnectionParamsError(`connection_init payload header "${name.slice(0, 64)}" is not a valid header`);
    }
  }
  return headers;
}
