import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { isGraphiqlAssetPath, serveGraphiqlAsset } from '../../bff/browser/graphiql-assets';
import { pageHeaders } from '../../bff/browser/html';
import { PAGE_ASSET_ROOT, servePageAsset } from '../../bff/browser/page-assets';
import { specFieldsOf } from '../../config/validate-config';
import { isUrl } from '../../handlers/spec-location';
import type { GatewayParts } from '../gateway-parts';
import { readDeprecatedVersionCallers, readOperationTraffic, readSourceHealth } from './live-health';
import { renderBffReference } from './render-bff-reference';
import { PORTAL_ROOT, mayShowSchema, renderPortal } from './render-portal';
import { createKeyRoutes } from './key-routes';
import { KEYS_PAGE_PATH, renderKeysPage } from './render-keys-page';
import { KEYS_SCRIPT_URL, serveKeysScript } from './keys-script';

export interface PortalRouteOptions {
  /** Live health and traffic: on the admin port, or on the one port when there is no admin port. */
  live: boolean;
  /** The schema of every BFF, introspection or not: on the admin port only. */
  everySchema: boolean;
}

const LOOM_ROOT = '/_loom/';
const SPEC = /^\/_loom\/portal\/sources\/([A-Za-z0-9_-]{1,100})\/spec\/(\d{1,3})$/;

const text = (status: number, body: string, headers: Record<string, string> = {}) =>
  new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } });

const html = (page: string) => new Response(page, { headers: pageHeaders() });

/** A source's spec file, as the config names it: looked up by source name and index, never by a path from the URL. */
async function serveSpec(gateway: GatewayParts, sourceName: string, index: number): Promise<Response> {
  const source = gateway.config.sources.find((candidate) => candidate.name === sourceName);
  const location = source ? specFieldsOf(source)[index]?.[1] : undefined;
  if (!location || isUrl(location)) return text(404, 'not found');
  const body = await readFile(location, 'utf8').catch(() => undefined);
  if (body === undefined) return text(404, 'not found');
  return text(200, body, {
    'content-disposition': `inline; filename="${basename(location).replace(/[^A-Za-z0-9._-]/g, '_')}"`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': 'no-store',
  });
}

/**
 * The portal's routes: `/`, its pages under /_loom/portal/, the stylesheet and
 * script under /_loom/page/ and GraphiQL's assets under /_loom/graphiql/.
 * Undefined for any other path. Pages only answer GET and HEAD.
 */
export function createPortalRoutes(
  gateway: GatewayParts,
  { live, everySchema }: PortalRouteOptions,
): (request: Request, pathname: string) => Promise<Response | undefined> {
  // The admin token is taken where operators are: the admin port, or the one port when there is none.
  const keyRoutes = createKeyRoutes(gateway, live);
  return async (request, pathname) => {
    if (pathname !== '/' && !pathname.startsWith(LOOM_ROOT)) return undefined;
    if (isGraphiqlAssetPath(pathname)) return serveGraphiqlAsset(request, pathname);
    if (pathname.startsWith(PAGE_ASSET_ROOT)) return servePageAsset(request, pathname);
    const keys = await keyRoutes(request, pathname);
    if (keys) return keys;
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return text(405, 'method not allowed', { allow: 'GET, HEAD' });
    if (pathname === KEYS_SCRIPT_URL) return serveKeysScript(request);
    if (pathname === KEYS_PAGE_PATH) return html(renderKeysPage(gateway, { adminAllowed: live }));
    if (pathname === '/') {
      const state = live
        ? {
            sources: await readSourceHealth(gateway.metrics),
            traffic: await readOperationTraffic(gateway.metrics),
            deprecatedCallers: await readDeprecatedVersionCallers(gateway.metrics),
          }
        : undefined;
      return html(renderPortal(gateway, { live: state, everySchema }));
    }
    if (pathname.startsWith(`${PORTAL_ROOT}bffs/`)) {
      const app = gateway.bffs.get(pathname.slice(`${PORTAL_ROOT}bffs/`.length));
      return app && mayShowSchema(app, everySchema) ? html(renderBffReference(gateway, app)) : text(404, 'not found');
    }
    const spec = SPEC.exec(pathname);
    if (spec) return serveSpec(gateway, spec[1], Number(spec[2]));
    return text(404, 'not found');
  };
}
