import { ConfigError } from '../../core/errors';
import { flag, positiveInteger, strictObject } from '../../core/options-schema';

/** GraphQL over WebSocket (the `graphql-transport-ws` protocol of the graphql-ws library) on a BFF's endpoint. */
export interface WebSocketOptions {
  /** Serve WebSocket on this BFF's endpoint. @default true */
  enabled?: boolean;
  /** Open sockets one address may hold on this BFF (counted per instance); one more is refused with HTTP 429 at the upgrade. @default 20 */
  maxConnectionsPerIp?: number;
  /** Open sockets one authenticated identity (user, API key) may hold; one more is closed with 4429 after `connection_init`. @default 10 */
  maxConnectionsPerIdentity?: number;
  /** Operations one socket may run at once; one more is answered with an `error` message (OPERATION_LIMIT_EXCEEDED). @default 25 */
  maxOperationsPerConnection?: number;
  /** Largest message a client may send; a larger one closes the socket with 1009. @default 65536 */
  maxMessageBytes?: number;
  /** Time a new socket has to send `connection_init` before it is closed with 4408. @default 10000 */
  connectionInitTimeoutMs?: number;
  /** A WebSocket ping every so often; a socket that has not answered the previous one is dropped. @default 12000 */
  keepAliveMs?: number;
  /**
   * Bytes a socket's operations together may queue beyond what the network takes; past this the socket is
   * closed with 1013 (slow consumer). Each operation waits for its previous message to be sent, so this is
   * reached only with many operations or large results. @default 4194304
   */
  maxBufferedBytes?: number;
}

export type ResolvedWebSocketOptions = Readonly<Required<Omit<WebSocketOptions, 'enabled'>>>;

const DEFAULTS: ResolvedWebSocketOptions = {
  maxConnectionsPerIp: 20,
  maxConnectionsPerIdentity: 10,
  maxOperationsPerConnection: 25,
  maxMessageBytes: 65_536,
  connectionInitTimeoutMs: 10_000,
  keepAliveMs: 12_000,
  maxBufferedBytes: 4_194_304,
};

/** The BFF's WebSocket settings with defaults, or undefined when it serves none; a bad value fails start-up. */
export function resolveWebSocketOptions(
  bffName: string,
  options: WebSocketOptions | false | undefined,
): ResolvedWebSocketOptions | undefined {
  if (options === false || options?.enabled === false) return undefined;
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options)))
    throw new ConfigError(`bff "${bffName}": websocket must be an object or false`);
  const resolved = { ...DEFAULTS };
  for (const key of Object.keys(options ?? {}) as Array<keyof WebSocketOptions>) {
    if (key === 'enabled') {
      if (typeof options?.enabled !== 'boolean')
        throw new ConfigError(`bff "${bffName}": websocket.enabled must be true or false`);
      continue;
    }
    if (!(key in DEFAULTS))
      throw new ConfigError(
        `bff "${bffName}": websocket.${key} is not an option (known: enabled, ${Object.keys(DEFAULTS).join(', ')})`,
      );
    const value = options?.[key];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
      throw new ConfigError(`bff "${bffName}": websocket.${key} must be a positive integer, got ${String(value)}`);
    resolved[key] = value;
  }
  return Object.freeze(resolved);
}

/** The `websocket` block of a BFF file, checked when the file loads (see WebSocketOptions for each key). */
export const webSocketOptionsSchema = strictObject({
  enabled: flag().optional(),
  maxConnectionsPerIp: positiveInteger().optional(),
  maxConnectionsPerIdentity: positiveInteger().optional(),
  maxOperationsPerConnection: positiveInteger().optional(),
  maxMessageBytes: positiveInteger().optional(),
  connectionInitTimeoutMs: positiveInteger().optional(),
  keepAliveMs: positiveInteger().optional(),
  maxBufferedBytes: positiveInteger().optional(),
});
