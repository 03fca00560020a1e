import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServerAdapter } from '@whatwg-node/server';
import type { BffApp } from '../bff/create-bff-app';
import { DEFAULT_HTTP_SERVER_LIMITS, type ResolvedHttpServerLimits } from '../config/http-server-limits';
import type { Gateway } from './create-gateway';
import { findBffApp } from './gateway-routes';
import { readSmallBody } from './read-small-body';
import { StartupError } from '../core/errors';
import { attachWebSockets, type WebSocketEndpoints } from './websocket/attach-websockets';

export interface HttpServerOptions {
  gateway: Gateway;
  /** Timeouts and connection cap. @default the config's `server` block */
  limits?: ResolvedHttpServerLimits;
}

export interface RunningServer {
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
 * POST bodies up to this size are read here and handed to Yoga whole, which
 * spares it streaming them through its body limiters; larger ones stream.
 */
const PRE_READ_BYTES = 1_048_576;

/** A repeated public cache hit is answered here, before Yoga (see createResponseReplay). */
function serveBff(app: BffApp, req: IncomingMessage, res: ServerResponse, body: Buffer | undefined) {
  if (app.replay)
    app.replay.handle(
      req,
      res,
      body,
      (serverContext) => void app.yoga.handle(req, res, serverContext as Record<string, unknown>),
    );
  else void app.yoga(req, res);
}

function headerValue(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The node:http adapter over `gateway.fetch`. BFF endpoints keep two measured
 * shortcuts: small POST bodies are read whole before Yoga, and response replay
 * answers repeated public cache hits without the request pipeline; Yoga then
 * handles the node request itself, which saves building a Fetch Request.
 * Everything else (/healthz, /readyz, /metrics, /) goes through gateway.fetch.
 */
export function createRequestListener(gateway: Gateway) {
  const viaFetch = createServerAdapter((request: Request) => gateway.fetch(request));
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    // Paths with dot segments or escapes go through gateway.fetch, whose URL parser resolves them the way
    // clients do; so do refused version headers and everything that is not a BFF.
    const app =
      path.includes('/.') || path.includes('%')
        ? undefined
        : findBffApp(gateway.bffs, path, (name) => headerValue(req, name));
    if (!app) return void viaFetch(req, res);
    if (path !== app.endpoint && !app.aliases?.includes(path)) void app.yoga(req, res);
    else if (req.method === 'POST') readSmallBody(req, PRE_READ_BYTES, (body) => serveBff(app, req, res, body));
    else serveBff(app, req, res, undefined);
  };
}

/**
 * How often node:http looks for connections past their timeout. Its default,
 * 30 s, would let a slow client hold a connection up to 30 s past
 * `headersTimeoutMs`; the sweep is a walk over open connections, cheap at
 * `maxConnections`.
 */
function connectionsCheckingIntervalMs(limits: ResolvedHttpServerLimits): number {
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
function describeListenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const fault = error.code ? LISTEN_FAULTS[error.code] : undefined;
  return new StartupError(`cannot listen on ${host}:${port}: ${fault ?? error.message} (${error.code ?? 'error'})`);
}

/** A node:http listener that can stop at once or drain (see RunningServer). */
function startServer(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  port: number,
  host: string,
  onDrain: () => void,
  limits: ResolvedHttpServerLimits,
  attach?: (server: Server) => WebSocketEndpoints,
): Promise<RunningServer> {
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  // A client that drips its headers or body is answered 408 and dropped: node's defaults (60 s, 300 s, swept every 30 s) held one for 321 s.
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: connectionsCheckingIntervalMs(limits),
    },
    (req, res) => {
      inFlight.add(res);
      // A keep-alive connection may still send a request while draining: answer it, then hang up.
      if (draining) res.setHeader('connection', 'close');
      res.once('close', () => {
        inFlight.delete(res);
        // The connection this answer used is idle now (or closing): let it go.
        if (draining) setImmediate(() => server.closeIdleConnections());
      });
      handle(req, res);
    },
  );
  server.maxConnections = limits.maxConnections;
  server.keepAliveTimeout = 65_000;
  // Upgraded sockets count as open connections for server.close() but are out of node's reach for closeAllConnections().
  const websockets = attach?.(server);
  const drain = (timeoutMs: number) =>
    new Promise<'drained' | 'forced'>((done) => {
      draining = true;
      onDrain();
      void websockets?.drain();
      // Answers not yet started tell the client to reconnect elsewhere; started ones end their connection once idle.
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
      const deadline = setTimeout(() => {
        websockets?.terminate();
        server.closeAllConnections();
        done('forced');
      }, timeoutMs);
      server.close(() => {
        clearTimeout(deadline);
        done('drained');
      });
      server.closeIdleConnections();
    });
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(describeListenError(error as NodeJS.ErrnoException, host, port)));
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      resolve({
        server,
        port: address.port,
        url: `http://${host}:${address.port}`,
        drain,
        websockets,
        close: () =>
          new Promise<void>((done) => {
            websockets?.terminate();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** The client listener: every BFF, the portal, /healthz and /readyz (and /metrics when there is no admin port). */
export function listen(
  { gateway, limits = gateway.config.server ?? DEFAULT_HTTP_SERVER_LIMITS }: HttpServerOptions,
  port: number,
  host = '127.0.0.1',
): Promise<RunningServer> {
  return startServer(
    createRequestListener(gateway),
    port,
    host,
    () => gateway.startDraining(),
    limits,
    (server) => attachWebSockets({ server, bffs: gateway.bffs, logger: gateway.logger }),
  );
}

/** The admin listener (`admin.port`): /healthz, the detailed /readyz and /metrics. */
export function listenAdmin(
  { gateway, limits = gateway.config.server ?? DEFAULT_HTTP_SERVER_LIMITS }: HttpServerOptions,
  port: number,
  host = '127.0.0.1',
): Promise<RunningServer> {
  const viaFetch = createServerAdapter((request: Request) => gateway.adminFetch(request));
  return startServer(
    (req, res) => void viaFetch(req, res),
    port,
    host,
    () => gateway.startDraining(),
    limits,
  );
}
