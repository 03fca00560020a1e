import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServerAdapter } from '@whatwg-node/server';
import type { BffApp } from '../bff/create-bff-app';
import { DEFAULT_HTTP_SERVER_LIMITS, type ResolvedHttpServerLimits } from '../config/http-server-limits';
import type { Gateway } from './create-gateway';
import { findBffApp } from './gateway-routes';
import { readSmallBody } from './read-small-body';
import { bindServer, connectionsCheckingIntervalMs, drainServer, type RunningServer } from './listener-support';
import { loadTlsCredentials } from './load-tls-credentials';
import { startSecureServer } from './start-secure-server';
import { attachWebSockets, type WebSocketEndpoints } from './websocket/attach-websockets';

export type { RunningServer };

export interface HttpServerOptions {
  gateway: Gateway;
  /** Timeouts and connection cap. @default the config's `server` block */
  limits?: ResolvedHttpServerLimits;
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
  // One adapter per generation a reloadable gateway serves; a plain gateway has one.
  const adapters = new WeakMap<Gateway, ReturnType<typeof createServerAdapter>>();
  const adapterOf = (current: Gateway) => {
    let adapter = adapters.get(current);
    if (!adapter) adapters.set(current, (adapter = createServerAdapter((request: Request) => current.fetch(request))));
    return adapter;
  };
  return (req: IncomingMessage, res: ServerResponse) => {
    // A reloadable gateway: the request runs on the generation serving now, to its end, whatever reloads meanwhile.
    const pinned = gateway.pin?.();
    // 'close' comes once per answer: `on` spares once()'s wrapper per request.
    if (pinned) res.on('close', pinned.release);
    const current = pinned?.gateway ?? gateway;
    const path = (req.url ?? '/').split('?')[0];
    // Paths with dot segments or escapes go through gateway.fetch, whose URL parser resolves them the way
    // clients do; so do refused version headers and everything that is not a BFF.
    const app =
      path.includes('/.') || path.includes('%')
        ? undefined
        : findBffApp(current.bffs, path, (name) => headerValue(req, name));
    if (!app) return void adapterOf(current)(req, res);
    if (path !== app.endpoint && !app.aliases?.includes(path)) void app.yoga(req, res);
    else if (req.method === 'POST') readSmallBody(req, PRE_READ_BYTES, (body) => serveBff(app, req, res, body));
    else serveBff(app, req, res, undefined);
  };
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
  // One function for every answer ('close' comes once per answer), not a closure per request.
  function onAnswerClosed(this: ServerResponse) {
    inFlight.delete(this);
    // The connection this answer used is idle now (or closing): let it go.
    if (draining) setImmediate(() => server.closeIdleConnections());
  }
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
      res.on('close', onAnswerClosed);
      handle(req, res);
    },
  );
  server.maxConnections = limits.maxConnections;
  server.keepAliveTimeout = 65_000;
  // Upgraded sockets count as open connections for server.close() but are out of node's reach for closeAllConnections().
  const websockets = attach?.(server);
  const cutEverything = () => {
    websockets?.terminate();
    server.closeAllConnections();
  };
  const drain = (timeoutMs: number) =>
    drainServer(
      {
        server,
        websockets,
        begin: () => {
          draining = true;
          onDrain();
          // Answers not yet started tell the client to reconnect elsewhere; started ones end their connection once idle.
          for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
        },
        closeIdle: () => server.closeIdleConnections(),
        cutEverything,
      },
      timeoutMs,
    );
  return bindServer({ server, scheme: 'http', port, host, drain, cutEverything, websockets });
}

/**
 * The client listener: every BFF, the portal, /healthz and /readyz (and
 * /metrics when there is no admin port). HTTPS (HTTP/2 and HTTP/1.1) when the
 * config has `tls`; its files are read and checked before binding.
 */
export function listen(
  { gateway, limits = gateway.config.server ?? DEFAULT_HTTP_SERVER_LIMITS }: HttpServerOptions,
  port: number,
  host = '127.0.0.1',
): Promise<RunningServer> {
  const handle = createRequestListener(gateway);
  const onDrain = () => gateway.startDraining();
  const attach = (server: Server) =>
    attachWebSockets({ server, bffs: gateway.bffs, logger: gateway.logger, pin: gateway.pin });
  const { tls } = gateway.config;
  if (tls) {
    let credentials;
    try {
      credentials = loadTlsCredentials(tls);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return startSecureServer({ handle, port, host, onDrain, limits, credentials, attach });
  }
  return startServer(handle, port, host, onDrain, limits, attach);
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
