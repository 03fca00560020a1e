import { ConfigError } from '../../core/errors';
import type { BffDefinition, BffPolicy, BffViewOptions } from '../define-bff';
import type { BffVersionOptions, VersionMappings } from './version-options';
import { parseClientVersion } from './client-version';

/** Path-safe, so `/<bff>/<version>/graphql` can never name another route: no dots, slashes or escapes. */
const VERSION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const HEADER_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const VERSION_KEYS = new Set(['snapshot', 'view', 'policies', 'mappings', 'deprecated']);
const DEPRECATION_KEYS = new Set(['since', 'sunset', 'afterSunset', 'successor', 'infoUrl']);
const MAPPING_KEYS = new Set(['renames', 'argumentDefaults', 'computed']);

export interface ResolvedDeprecation {
  /** Epoch ms. */
  readonly sinceMs: number;
  /** Epoch ms; undefined when no sunset is set. */
  readonly sunsetMs?: number;
  readonly afterSunset: 'refuse' | 'warn';
  readonly successor: string;
  readonly infoUrl?: string;
}

export interface ResolvedVersion {
  readonly name: string;
  readonly current: boolean;
  /** The version's view, or the BFF's. */
  readonly view?: BffViewOptions;
  /** The version's policies, or the BFF's. */
  readonly policies: readonly BffPolicy[];
  readonly mappings: VersionMappings;
  readonly deprecation?: ResolvedDeprecation;
  /** As written in the BFF file (relative to the config), when set. */
  readonly snapshot?: string;
}

export interface ResolvedClientRoute {
  readonly client: string;
  readonly from?: readonly number[];
  readonly below?: readonly number[];
  readonly version: string;
}

export interface ResolvedVersioning {
  readonly current: string;
  /** In declaration order. */
  readonly versions: ReadonlyMap<string, ResolvedVersion>;
  readonly routingHeader?: string;
  readonly clientRoutes: readonly ResolvedClientRoute[];
  readonly clientHeaders: { readonly name: string; readonly version: string };
  readonly maxClientLabels: number;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function requireKnownKeys(where: string, value: Record<string, unknown>, known: Set<string>) {
  for (const key of Object.keys(value))
    if (!known.has(key)) throw new ConfigError(`${where}: unknown key "${key}" (known: ${[...known].join(', ')})`);
}

function parseDate(where: string, value: unknown): number {
  const ms = typeof value === 'string' && ISO_DATE.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw new ConfigError(`${where}: expected an ISO date such as "2026-12-31", got ${JSON.stringify(value)}`);
  return ms;
}

function parseHeaderName(where: string, value: unknown): string {
  const name = typeof value === 'string' ? value.toLowerCase() : '';
  if (!HEADER_NAME.test(name)) throw new ConfigError(`${where}: ${JSON.stringify(value)} is not a header name`);
  return name;
}

function parseDeprecation(where: string, raw: unknown, current: string, names: Set<string>, self: string) {
  if (!isPlainObject(raw)) throw new ConfigError(`${where}: must be an object with at least "since"`);
  requireKnownKeys(where, raw, DEPRECATION_KEYS);
  const sinceMs = parseDate(`${where}.since`, raw.since);
  const sunsetMs = raw.sunset === undefined ? undefined : parseDate(`${where}.sunset`, raw.sunset);
  if (sunsetMs !== undefined && sunsetMs < sinceMs) throw new ConfigError(`${where}: sunset comes before since`);
  const afterSunset = raw.afterSunset ?? 'refuse';
  if (afterSunset !== 'refuse' && afterSunset !== 'warn')
    throw new ConfigError(`${where}.afterSunset: must be "refuse" or "warn"`);
  const successor = raw.successor ?? current;
  if (typeof successor !== 'string' || !names.has(successor) || successor === self)
    throw new ConfigError(
      `${where}.successor: must name another version of this BFF, got ${JSON.stringify(successor)}`,
    );
  let infoUrl: string | undefined;
  if (raw.infoUrl !== undefined) {
    infoUrl = typeof raw.infoUrl === 'string' && /^https?:\/\/[^\s<>"]+$/.test(raw.infoUrl) ? raw.infoUrl : undefined;
    if (!infoUrl) throw new ConfigError(`${where}.infoUrl: must be an http(s) URL`);
  }
  return { sinceMs, sunsetMs, afterSunset, successor, infoUrl } satisfies ResolvedDeprecation;
}

function parseMappings(where: string, raw: unknown): VersionMappings {
  if (raw === undefined) return {};
  if (!isPlainObject(raw)) throw new ConfigError(`${where}: must be an object`);
  requireKnownKeys(where, raw, MAPPING_KEYS);
  for (const key of MAPPING_KEYS)
    if (raw[key] !== undefined && !isPlainObject(raw[key])) throw new ConfigError(`${where}.${key}: must be an object`);
  for (const [from, to] of Object.entries((raw.renames as Record<string, unknown>) ?? {}))
    if (typeof to !== 'string')
      throw new ConfigError(`${where}.renames "${from}": must name the current type or field`);
  for (const [coordinate, field] of Object.entries((raw.computed as Record<string, unknown>) ?? {})) {
    const ok =
      isPlainObject(field) &&
      typeof field.type === 'string' &&
      typeof field.requires === 'string' &&
      typeof field.resolve === 'function';
    if (!ok) throw new ConfigError(`${where}.computed "${coordinate}": needs type, requires and resolve`);
  }
  return raw as VersionMappings;
}

function parseVersion(
  bffName: string,
  definition: BffDefinition,
  name: string,
  raw: unknown,
  current: string,
  names: Set<string>,
): ResolvedVersion {
  const where = `bff "${bffName}": versions.${name}`;
  if (!VERSION_NAME.test(name) || name === 'graphql')
    throw new ConfigError(`${where}: a version name must match ${VERSION_NAME} and not be "graphql"`);
  if (!isPlainObject(raw)) throw new ConfigError(`${where}: must be an object`);
  requireKnownKeys(where, raw, VERSION_KEYS);
  const version = raw as BffVersionOptions;
  if (version.view !== undefined && !isPlainObject(version.view))
    throw new ConfigError(`${where}.view: must be an object`);
  if (version.policies !== undefined && !Array.isArray(version.policies))
    throw new ConfigError(`${where}.policies: must be a list`);
  if (
    version.snapshot !== undefined &&
    (typeof version.snapshot !== 'string' || !version.snapshot.endsWith('.graphql'))
  )
    throw new ConfigError(`${where}.snapshot: must be a .graphql file`);
  if (name === current && version.deprecated !== undefined)
    throw new ConfigError(`${where}: the current version cannot be deprecated`);
  return {
    name,
    current: name === current,
    view: version.view ?? definition.view,
    policies: version.policies ?? definition.policies ?? [],
    mappings: parseMappings(`${where}.mappings`, version.mappings),
    deprecation:
      version.deprecated === undefined
        ? undefined
        : parseDeprecation(`${where}.deprecated`, version.deprecated, current, names, name),
    snapshot: version.snapshot,
  };
}

function parseClientRoutes(where: string, raw: unknown, names: Set<string>): ResolvedClientRoute[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new ConfigError(`${where}: must be a list`);
  return raw.map((route: unknown, index) => {
    const at = `${where}[${index}]`;
    if (!isPlainObject(route)) throw new ConfigError(`${at}: must be an object`);
    requireKnownKeys(at, route, new Set(['client', 'from', 'below', 'version']));
    if (typeof route.client !== 'string' || route.client === '' || route.client.length > 64)
      throw new ConfigError(`${at}.client: must be a client name (1-64 characters)`);
    if (typeof route.version !== 'string' || !names.has(route.version))
      throw new ConfigError(`${at}.version: must name a version of this BFF, got ${JSON.stringify(route.version)}`);
    const bound = (key: 'from' | 'below') => {
      if (route[key] === undefined) return undefined;
      const parsed = typeof route[key] === 'string' ? parseClientVersion(route[key]) : undefined;
      if (!parsed) throw new ConfigError(`${at}.${key}: expected a dotted version such as "2.1.0"`);
      return parsed;
    };
    return { client: route.client, from: bound('from'), below: bound('below'), version: route.version };
  });
}

/** Reads and checks a BFF file's `versions`, `currentVersion` and `versioning`; undefined for an unversioned BFF. */
export function parseVersioning(bffName: string, definition: BffDefinition): ResolvedVersioning | undefined {
  const { versions, currentVersion, versioning } = definition;
  if (versions === undefined) {
    if (currentVersion !== undefined || versioning !== undefined)
      throw new ConfigError(`bff "${bffName}": currentVersion and versioning need versions`);
    return undefined;
  }
  if (!isPlainObject(versions) || Object.keys(versions).length === 0)
    throw new ConfigError(`bff "${bffName}": versions must name at least one version`);
  const names = new Set(Object.keys(versions));
  if (typeof currentVersion !== 'string' || !names.has(currentVersion))
    throw new ConfigError(
      `bff "${bffName}": currentVersion must name one of its versions (${[...names].join(', ')}), got ${JSON.stringify(currentVersion)}`,
    );
  if (versioning !== undefined && !isPlainObject(versioning))
    throw new ConfigError(`bff "${bffName}": versioning must be an object`);
  const where = `bff "${bffName}": versioning`;
  requireKnownKeys(where, versioning ?? {}, new Set(['routing', 'clientHeaders', 'maxClientLabels']));
  const routing = versioning?.routing ?? {};
  const clientHeaders = versioning?.clientHeaders ?? {};
  if (!isPlainObject(routing) || !isPlainObject(clientHeaders))
    throw new ConfigError(`${where}: routing and clientHeaders must be objects`);
  requireKnownKeys(`${where}.routing`, routing, new Set(['header', 'clients']));
  requireKnownKeys(`${where}.clientHeaders`, clientHeaders, new Set(['name', 'version']));
  const maxClientLabels: unknown = versioning?.maxClientLabels ?? 50;
  if (
    typeof maxClientLabels !== 'number' ||
    !Number.isInteger(maxClientLabels) ||
    maxClientLabels < 1 ||
    maxClientLabels > 10_000
  )
    throw new ConfigError(`${where}.maxClientLabels: must be an integer from 1 to 10000`);
  return {
    current: currentVersion,
    versions: new Map(
      Object.entries(versions).map(([name, raw]) => [
        name,
        parseVersion(bffName, definition, name, raw, currentVersion, names),
      ]),
    ),
    routingHeader:
      routing.header === undefined ? undefined : parseHeaderName(`${where}.routing.header`, routing.header),
    clientRoutes: parseClientRoutes(`${where}.routing.clients`, routing.clients, names),
    clientHeaders: {
      name: parseHeaderName(`${where}.clientHeaders.name`, clientHeaders.name ?? 'apollographql-client-name'),
      version: parseHeaderName(
        `${where}.clientHeaders.version`,
        clientHeaders.version ?? 'apollographql-client-version',
      ),
    },
    maxClientLabels,
  };
}
