import type { AddressInfo, Server } from 'node:net';
import type { ResolvedHttpServerLimits } from '../config/http-server-limits';
import { StartupError } from '../core/errors';
import type { WebSocketEndpoints } from './websocket/attach-websockets';

export interface RunningServer {
  /** node:http's server, or node:http2's secure server when `tls` is configured. */
  readonly server: Server;
  readonly url: string;
  readonly port: number;
  /** Stops at once: every connection is closed, in-flight requests included (tests). */
  close(): Promise<void>;
  /**
   * Graceful stop: /readyz turns 503, the listener stops accepting, in-flight
   * requests finish (their connections then close, as do idle keep-alive
   * ones). Resolves 'drained', or 'forced' when `timeoutMs` passed first and the
   * remaining connections were cut.
   */
  drain(timeoutMs: number): Promise<'drained' | 'forced'>;
  /** GraphQL over WebSocket on the BFF endpoints (client listener only). */
  readonly websockets?: WebSocketEndpoints;
}

/**
 * How often node:http looks for connections past their timeout. Its default,
 * 30 s, would let a slow client hold a connection up to 30 s past
 * `headersTimeoutMs`; the sweep is a walk over open connections, cheap at
 * `maxConnections`.
 */
export function connectionsCheckingIntervalMs(limits: ResolvedHttpServerLimits): number {
  return Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 2)));
}

const LISTEN_FAULTS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the port is in use by another process',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'the host is not an address of this machine',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
};

/** One line for the operator instead of a stack trace: `cannot listen on 127.0.0.1:4000: the port is in use (EADDRINUSE)`. */
export function describeListenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const fault = error.code ? LISTEN_FAULTS[error.code] : undefined;
  return new StartupError(`cannot listen on ${host}:${port}: ${fault ?? error.message} (${error.code ?? 'error'})`);
}

export interface DrainSteps {
  readonly server: Server;
  readonly websockets?: WebSocketEndpoints;
  /** Runs first: flags the listener as draining (keep-alive answers then carry `connection: close`). */
  readonly begin: () => void;
  /** Lets idle connections go once the listener stopped accepting. */
  readonly closeIdle: () => void;
  /** Closes every connection at once (in-flight requests included). */
  readonly cutEverything: () => void;
}

/**
 * The drain both listeners share: stop accepting, complete WebSocket
 * subscriptions, let idle connections go, and cut what is left at the deadline.
 */
export function drainServer(
  { server, websockets, begin, closeIdle, cutEverything }: DrainSteps,
  timeoutMs: number,
): Promise<'drained' | 'forced'> {
  return new Promise((done) => {
    begin();
    void websockets?.drain();
    const deadline = setTimeout(() => {
      cutEverything();
      done('forced');
    }, timeoutMs);
    server.close(() => {
      clearTimeout(deadline);
      done('drained');
    });
    closeIdle();
  });
}

export interface BindOptions {
  readonly server: Server;
  readonly scheme: 'http' | 'https';
  readonly port: number;
  readonly host: string;
  readonly drain: RunningServer['drain'];
  /** Closes every connection at once (in-flight requests included). */
  readonly cutEverything: () => void;
  readonly websockets?: WebSocketEndpoints;
}

/** Binds a prepared server; resolves its RunningServer, or rejects with one line (describeListenError). */
export function bindServer({
  server,
  scheme,
  port,
  host,
  drain,
  cutEverything,
  websockets,
}: BindOptions): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(describeListenError(error as NodeJS.ErrnoException, host, port)));
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      resolve({
        server,
        port: address.port,
        url: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
        drain,
        websockets,
        close: () =>
          new Promise<void>((closed) => {
            cutEverything();
            server.close(() => closed());
          }),
      });
    });
  });
}
