import type { BffPolicy, BffViewOptions } from '../bff-view-options';

/**
 * A field of an old version computed from fields of the current graph. The
 * required fields are fetched in place of it (no extra upstream call) and
 * `resolve` runs on the object that holds them.
 */
export interface ComputedFieldMapping {
  /** Its GraphQL type in the version, e.g. `'String'`, `'String!'`, `'[String!]'`. */
  type: string;
  /** Fields of the current type it is computed from, as a selection: `'name tier'`, `'address { city }'`. */
  requires: string;
  /** Computes the value from the parent object (which carries the `requires` fields). */
  resolve(parent: Record<string, unknown>): unknown;
  /** Shown in the version's schema. */
  description?: string;
}

/**
 * How an old version keeps its frozen shape on the current graph. Every
 * coordinate on the left is the version's (what its clients send); renames
 * point to the current graph's names (those of the version's view).
 */
export interface VersionMappings {
  /**
   * Old name -> current name, for types and object fields:
   * `{ 'Customer.fullName': 'Customer.name', Client: 'Customer' }`. A field
   * rename stays within its type.
   */
  renames?: Record<string, string>;
  /**
   * Defaults the version's clients relied on, in the version's names:
   * `{ 'Query.listProducts.limit': 20 }`, sent upstream when the client
   * leaves the argument out.
   */
  argumentDefaults?: Record<string, unknown>;
  /** Fields the version shows that the graph no longer has, computed from those it has: `{ 'Customer.displayName': {...} }` (current type names). */
  computed?: Record<string, ComputedFieldMapping>;
}

/** Deprecation (RFC 9745) and sunset (RFC 8594) of a version. */
export interface VersionDeprecation {
  /** When the version was (or will be) deprecated: an ISO date or date-time, e.g. `'2026-06-01'`. Sent as `Deprecation: @<epoch seconds>`. */
  since: string;
  /** When it stops being served: an ISO date or date-time. Sent as `Sunset: <HTTP-date>`. @default no sunset */
  sunset?: string;
  /**
   * What happens after the sunset: `'refuse'` answers 410 `VERSION_SUNSET`,
   * `'warn'` keeps serving with the headers. @default 'refuse'
   */
  afterSunset?: 'refuse' | 'warn';
  /** The version clients should move to (`Link: <...>; rel="successor-version"`). @default the current version */
  successor?: string;
  /** A page about the deprecation (`Link: <...>; rel="deprecation"`). */
  infoUrl?: string;
}

export interface BffVersionOptions {
  /**
   * This version's committed SDL snapshot, relative to the config file.
   * @default `<schemaDir>/<bff>.graphql` for the current version, `<schemaDir>/<bff>.<version>.graphql` for the others
   */
  snapshot?: string;
  /** Its own view of the graph. @default the BFF's `view` */
  view?: BffViewOptions;
  /** Its own policies, in the order they run. @default the BFF's `policies` */
  policies?: BffPolicy[];
  /** How it is served from the current graph when the graph has moved on. */
  mappings?: VersionMappings;
  /** Deprecation and sunset; a version without it is not deprecated. */
  deprecated?: VersionDeprecation;
}

/** A client app (by its name and version headers) sent to a version when it calls `/<bff>/graphql`. */
export interface ClientVersionRoute {
  /** The client's name, exactly as it sends it (`apollographql-client-name`). */
  client: string;
  /** Client versions from this one on (dotted numbers, inclusive). @default every version */
  from?: string;
  /** Client versions below this one (exclusive). @default every version */
  below?: string;
  /** The BFF version it is served. */
  version: string;
}

export interface VersionRoutingOptions {
  /**
   * A header naming the version on `/<bff>/graphql` (for apps that cannot
   * change their URL), e.g. `'x-api-version'`. An unknown value is 400
   * `UNKNOWN_API_VERSION`. @default no header routing
   */
  header?: string;
  /** Routes by client name and version range; the first match wins, after `header`. @default [] */
  clients?: ClientVersionRoute[];
}

export interface VersionClientHeaders {
  /** @default 'apollographql-client-name' */
  name?: string;
  /** @default 'apollographql-client-version' */
  version?: string;
}

/** Where the BFF's versions are declared: `versions`, `currentVersion` and `versioning` in a BFF file. */
export interface BffVersioningOptions {
  /** Routing on `/<bff>/graphql` by header or client. */
  routing?: VersionRoutingOptions;
  /** Headers that name the calling client, for metrics, logs and client routing. */
  clientHeaders?: VersionClientHeaders;
  /** Distinct client names (and versions) kept as metric labels; later ones count as `other`. @default 50 */
  maxClientLabels?: number;
}
