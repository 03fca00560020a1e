import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Gateway } from './create-gateway';
import { renderPortal } from './render-portal';
import { readSmallBody } from './read-small-body';
import type { BffApp } from '../bff/create-bff-app';
import { describeUpstreamHealth } from '../upstream/upstream-health-board';
import { DEFAULT_HTTP_SERVER_LIMITS, type ResolvedHttpServerLimits } from '../config/http-server-limits';

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

function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readiness(gateway: Gateway) {
  const checks = await Promise.all(
    gateway.readinessChecks.map(async ({ name, check }) => {
      try {
        return { name, ok: await check() };
      } catch {
        return { name, ok: false };
      }
    }),
  );
  const sources = gateway.composed.sources.map((source) => ({ name: source.name, kind: source.kind, loaded: true }));
  // Upstream endpoint health is information, not readiness: an open breaker must not pull every gateway instance.
  return { ready: checks.every((check) => check.ok), sources, checks, upstreams: describeUpstreamHealth(gateway.metrics) };
}

/**
 * POST bodies up to this size are read here and handed to Yoga whole, which
 * spares it streaming them through its body limiters; larger ones stream.
 */
const PRE_READ_BYTES = 1_048_576;

function serveBff(app: BffApp, req: IncomingMessage, res: ServerResponse, body: Buffer | undefined) {
  if (app.replay) app.replay.handle(req, res, body, () => void app.yoga(req, res));
  else void app.yoga(req, res);
}

/** One port: /<bff>/graphql for each BFF, /healthz, /readyz, /metrics and the portal at /. */
export function createRequestListener(gateway: Gateway) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const bffName = path.split('/')[1];
    const app = bffName ? gateway.bffs.get(bffName) : undefined;
    if (app && (path === app.endpoint || path.startsWith(`${app.endpoint}/`))) {
      if (path !== app.endpoint) void app.yoga(req, res);
      else if (req.method === 'POST') readSmallBody(req, PRE_READ_BYTES, (body) => serveBff(app, req, res, body));
      else serveBff(app, req, res, undefined);
      return;
    }
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      void readiness(gateway).then((report) => sendJson(res, report.ready ? 200 : 503, report));
      return;
    }
    if (path === '/metrics') {
      void gateway.metrics.metrics().then((text) => {
        res.writeHead(200, { 'content-type': gateway.metrics.contentType });
        res.end(text);
      });
      return;
    }
    if (path === '/') {
      const html = renderPortal(gateway);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
      return;
    }
    sendJson(res, 404, { error: 'not found', bffs: [...gateway.bffs.values()].map((bff) => bff.endpoint) });
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
