import type { GraphQLError } from 'graphql';
import { unknownApiVersion } from '../../core/errors';
import { compareClientVersions, parseClientVersion, readClientIdentity } from './client-version';
import type { ResolvedClientRoute } from './parse-versioning';

/** The versions of one BFF as the router sees them. */
export interface BffVersionSet<App> {
  readonly current: string;
  /** Every version's app by version name, the current one included, in declaration order. */
  readonly apps: ReadonlyMap<string, App>;
  readonly routingHeader?: string;
  readonly clientRoutes: readonly ResolvedClientRoute[];
  readonly clientHeaders: { readonly name: string; readonly version: string };
}

export interface RoutableBffApp<App> {
  /** The path the app answers first (`/<bff>/graphql`, or `/<bff>/<version>/graphql` for a version that is not current). */
  readonly endpoint: string;
  readonly versions?: BffVersionSet<App>;
}

export type BffRoute<App> = { readonly app: App } | { readonly refusal: GraphQLError };

/** `path` is `endpoint` or below it (Yoga's sub-paths). No decoding and no dot segments: the URL parser resolved those. */
function isUnder(pathname: string, endpoint: string): boolean {
  return pathname === endpoint || pathname.startsWith(`${endpoint}/`);
}

function inRange(route: ResolvedClientRoute, version: readonly number[] | undefined): boolean {
  if (!route.from && !route.below) return true;
  if (!version) return false;
  if (route.from && compareClientVersions(version, route.from) < 0) return false;
  return !(route.below && compareClientVersions(version, route.below) >= 0);
}

/**
 * The version `/<bff>/graphql` serves: the one the routing header names (an
 * unknown name is refused, never guessed), else the first client route that
 * matches the caller's name and version, else the current version.
 */
export function chooseVersion<App>(
  set: BffVersionSet<App>,
  readHeader: (name: string) => string | null,
): string | GraphQLError {
  if (set.routingHeader) {
    const value = readHeader(set.routingHeader)?.trim();
    if (value) return set.apps.has(value) ? value : unknownApiVersion(set.routingHeader, [...set.apps.keys()]);
  }
  if (set.clientRoutes.length) {
    const client = readClientIdentity(readHeader, set.clientHeaders);
    const version = parseClientVersion(client.version);
    const route = set.clientRoutes.find((candidate) => candidate.client === client.name && inRange(candidate, version));
    if (route) return route.version;
  }
  return set.current;
}

/**
 * Which app answers `pathname`: `/<bff>/graphql` for an unversioned BFF;
 * for a versioned one `/<bff>/<version>/graphql` (exact version names only,
 * no decoding) or `/<bff>/graphql`, routed by header or client. Undefined
 * when no BFF answers the path.
 */
export function routeBffRequest<App extends RoutableBffApp<App>>(
  bffs: ReadonlyMap<string, App>,
  pathname: string,
  readHeader: (name: string) => string | null,
): BffRoute<App> | undefined {
  const [, bffName, segment] = pathname.split('/');
  const app = bffName ? bffs.get(bffName) : undefined;
  if (!app) return undefined;
  const set = app.versions;
  if (!set) return isUnder(pathname, app.endpoint) ? { app } : undefined;
  if (isUnder(pathname, `/${bffName}/graphql`)) {
    const chosen = chooseVersion(set, readHeader);
    if (typeof chosen !== 'string') return { refusal: chosen };
    const versionApp = set.apps.get(chosen);
    return versionApp ? { app: versionApp } : undefined;
  }
  const versionApp = segment ? set.apps.get(segment) : undefined;
  return versionApp && isUnder(pathname, `/${bffName}/${segment}/graphql`) ? { app: versionApp } : undefined;
}

/** The refusal as a GraphQL-over-HTTP answer. */
export function refusalResponse(error: GraphQLError): Response {
  const { http, ...extensions } = error.extensions;
  return new Response(JSON.stringify({ errors: [{ message: error.message, extensions }] }), {
    status: http?.status ?? 400,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}
