import type { BffApp } from '../bff/create-bff-app';
import { describeUpstreamHealth } from '../upstream/upstream-health-board';
import type { GatewayParts, ReloadStatus } from './gateway-parts';
import { createPortalRoutes } from './portal/portal-routes';
import { compressResponse } from '../plugins/http/use-compression';
import { refusalResponse, routeBffRequest } from '../bff/versions/route-bff-request';
import { everyBffApp } from '../bff/versions/create-versioned-bff-app';

/**
 * The BFF app whose endpoint (or a path below it, e.g. Yoga's SSE sub-paths)
 * `pathname` names: for a versioned BFF, the version its path, routing header
 * or client names. A refused version header is no app.
 */
export function findBffApp(
  bffs: ReadonlyMap<string, BffApp>,
  pathname: string,
  readHeader: (name: string) => string | null = () => null,
): BffApp | undefined {
  const route = routeBffRequest(bffs, pathname, readHeader);
  return route && 'app' in route ? route.app : undefined;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
}

export interface ReadinessReport {
  ready: boolean;
  sources: Array<{ name: string; kind: string; loaded: boolean }>;
  checks: Array<{ name: string; ok: boolean }>;
  upstreams: ReturnType<typeof describeUpstreamHealth>;
  /** Hot reload: generation, last reload time and result (`loom serve --watch`, SIGHUP). */
  reload?: ReloadStatus;
}

export async function describeReadiness(gateway: GatewayParts): Promise<ReadinessReport> {
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
  return {
    ready: checks.every((check) => check.ok),
    sources,
    checks,
    upstreams: describeUpstreamHealth(gateway.metrics),
    ...(gateway.reloadStatus && { reload: gateway.reloadStatus() }),
  };
}

/**
 * Which routes a listener serves: 'all' on the one port when no admin port is
 * configured; with one, 'public' (BFFs, portal, /healthz, a bare /readyz) on
 * the client port and 'admin' (/healthz, the detailed /readyz, /metrics, the
 * portal with live health) on the admin port, so upstream URLs and metrics
 * stay off the client port.
 */
export type Surface = 'all' | 'public' | 'admin';

/**
 * The HTTP surface as one Fetch handler: /<bff>/graphql for each BFF,
 * /healthz, /readyz, /metrics and the portal at /, as `surface` allows. Serves
 * tests in-process and any Fetch runtime; the node:http adapter
 * (create-http-server.ts) sits on top.
 */
export function createGatewayFetch(
  gateway: GatewayParts,
  isDraining: () => boolean = () => false,
  surface: Surface = 'all',
): (request: Request) => Promise<Response> {
  const route = createRoutes(gateway, isDraining, surface);
  const { compression } = gateway.config;
  if (!compression) return route;
  // BFF answers are compressed by their Yoga app (useCompression), after response replay has seen them.
  return async (request) => {
    const response = await route(request);
    return routeBffRequest(gateway.bffs, new URL(request.url).pathname, () => null)
      ? response
      : compressResponse(request, response, compression);
  };
}

function notFound(gateway: GatewayParts, surface: Surface): Response {
  return json(404, {
    error: 'not found',
    bffs: surface === 'admin' ? [] : everyBffApp(gateway.bffs.values()).map((bff) => bff.endpoint),
  });
}

function createRoutes(
  gateway: GatewayParts,
  isDraining: () => boolean,
  surface: Surface,
): (request: Request) => Promise<Response> {
  const clients = surface !== 'admin';
  const operators = surface !== 'public';
  // On both surfaces: the client port's portal leaves out health details, the admin port's has them.
  const portal = createPortalRoutes(gateway, { live: operators, everySchema: surface === 'admin' });
  return async (request) => {
    const { pathname } = new URL(request.url);
    const route = clients ? routeBffRequest(gateway.bffs, pathname, (name) => request.headers.get(name)) : undefined;
    if (route) return 'app' in route ? route.app.yoga.fetch(request) : refusalResponse(route.refusal);
    if (pathname === '/healthz') return json(200, { status: 'ok' });
    if (pathname === '/readyz') {
      // A draining instance must leave the load balancer at once, whatever its checks say.
      if (isDraining()) return json(503, { ready: false, draining: true });
      const report = await describeReadiness(gateway);
      return json(report.ready ? 200 : 503, operators ? report : { ready: report.ready });
    }
    if (pathname === '/metrics' && operators)
      return new Response(await gateway.metricsText(), {
        headers: { 'content-type': gateway.metrics.contentType },
      });
    const page = await portal(request, pathname);
    if (page) return page;
    return notFound(gateway, surface);
  };
}
