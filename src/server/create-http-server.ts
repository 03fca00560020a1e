import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServerAdapter } from '@whatwg-node/server';
import type { BffApp } from '../bff/create-bff-app';
import { DEFAULT_HTTP_SERVER_LIMITS, type ResolvedHttpServerLimits } from '../config/http-server-limits';
import type { Gateway } from './create-gateway';
import { findBffApp } from './gateway-routes';
import { readSmallBody } from './read-small-body';

export interface HttpServerOptions {
  gateway: Gateway;
  /** Timeouts and connection cap. @default the config's `server` block */
  limits?: ResolvedHttpServerLimits;
}

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * POST bodies up to this size are read here and handed to Yoga whole, which
 * spares it streaming them through its body limiters; larger ones stream.
 */
const PRE_READ_BYTES = 1_048_576;

/** A repeated public cache hit is answered here, before Yoga (see createResponseReplay). */
function serveBff(app: BffApp, req: IncomingMessage, res: ServerResponse, body: Buffer | undefined) {
  if (app.replay) app.replay.handle(req, res, body, (serverContext) => void app.yoga.handle(req, res, serverContext as Record<string, unknown>));
  else void app.yoga(req, res);
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
    const app = findBffApp(gateway.bffs, path);
    if (!app) return void viaFetch(req, res);
    if (path !== app.endpoint) void app.yoga(req, res);
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

export function listen({ gateway, limits = gateway.config.server ?? DEFAULT_HTTP_SERVER_LIMITS }: HttpServerOptions, port: number, host = '127.0.0.1'): Promise<RunningServer> {
  // A client that drips its headers or body is answered 408 and dropped: node's defaults (60 s, 300 s, swept every 30 s) held one for 321 s.
  const server = createServer(
    { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: connectionsCheckingIntervalMs(limits) },
    createRequestListener(gateway),
  );
  server.maxConnections = limits.maxConnections;
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      resolve({
        server,
        port: address.port,
        url: `http://${host}:${address.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
