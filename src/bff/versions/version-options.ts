import { z } from 'zod';
import { nonEmptyString, stringMap, strictObject } from '../../core/options-schema';
import { bffPolicySchema, bffViewOptionsSchema } from '../bff-view-options';

/**
 * The shape of a BFF file's `versions` and `versioning` (zod, strict: an
 * unknown key fails at load with a hint). What a shape cannot say (dates,
 * version names, references between versions, mappings against the graph) is
 * checked by parseVersioning and applyVersionMappings at start-up.
 */

const isFunction = (value: unknown): value is (...args: never[]) => unknown => typeof value === 'function';

/**
 * A field of an old version computed from fields of the current graph. The
 * required fields are fetched in place of it (no extra upstream call) and
 * `resolve` runs on the object that holds them.
 */
export const computedFieldMappingSchema = strictObject({
  /** Its GraphQL type in the version, e.g. `'String'`, `'String!'`, `'[String!]'`. */
  type: nonEmptyString('must be a GraphQL type such as "String!"'),
  /** Fields of the current type it is computed from, as a selection: `'name tier'`, `'address { city }'`. */
  requires: nonEmptyString('must be a selection such as "name tier"'),
  /** Computes the value from the parent object (which carries the `requires` fields). */
  resolve: z.custom<(parent: Record<string, unknown>) => unknown>(isFunction, { error: 'must be a function' }),
  /** Shown in the version's schema. */
  description: z.string().optional(),
});
export type ComputedFieldMapping = z.input<typeof computedFieldMappingSchema>;

/**
 * How an old version keeps its frozen shape on the current graph. Every
 * coordinate on the left is the version's (what its clients send); renames
 * point to the current graph's names (those of the version's view).
 */
export const versionMappingsSchema = strictObject({
  /**
   * Old name -> current name, for types and object fields:
   * `{ 'Customer.fullName': 'Customer.name', Client: 'Customer' }`. A field
   * rename stays within its type, named by its current name.
   */
  renames: stringMap().optional(),
  /**
   * Defaults the version's clients relied on, in the version's names:
   * `{ 'Query.listProducts.limit': 20 }`, sent upstream when the client
   * leaves the argument out.
   */
  argumentDefaults: z.record(z.string(), z.unknown(), { error: 'must be an object of coordinate: value' }).optional(),
  /** Fields the version shows that the graph no longer has, computed from those it has: `{ 'Customer.displayName': {...} }` (current type names). */
  computed: z
    .record(z.string(), computedFieldMappingSchema, { error: 'must be an object of Type.field: {...}' })
    .optional(),
});
export type VersionMappings = z.input<typeof versionMappingsSchema>;

/** Deprecation (RFC 9745) and sunset (RFC 8594) of a version. */
export const versionDeprecationSchema = strictObject({
  /** When the version was (or will be) deprecated: an ISO date or date-time, e.g. `'2026-06-01'`. Sent as `Deprecation: @<epoch seconds>`. */
  since: nonEmptyString('must be an ISO date such as "2026-06-01"'),
  /** When it stops being served: an ISO date or date-time. Sent as `Sunset: <HTTP-date>`. @default no sunset */
  sunset: z.string().optional(),
  /** What happens after the sunset: `'refuse'` answers 410 `VERSION_SUNSET`, `'warn'` keeps serving with the headers. @default 'refuse' */
  afterSunset: z.enum(['refuse', 'warn'], { error: 'must be "refuse" or "warn"' }).optional(),
  /** The version clients should move to (`Link: <...>; rel="successor-version"`). @default the current version */
  successor: z.string().optional(),
  /** A page about the deprecation (`Link: <...>; rel="deprecation"`). */
  infoUrl: z.string().optional(),
});
export type VersionDeprecation = z.input<typeof versionDeprecationSchema>;

export const bffVersionOptionsSchema = strictObject({
  /**
   * This version's committed SDL snapshot, relative to the config file.
   * @default `<schemaDir>/<bff>.graphql` for the current version, `<schemaDir>/<bff>.<version>.graphql` for the others
   */
  snapshot: z.string().optional(),
  /** Its own view of the graph. @default the BFF's `view` */
  view: bffViewOptionsSchema.optional(),
  /** Its own policies, in the order they run. @default the BFF's `policies` */
  policies: z.array(bffPolicySchema, { error: 'must be a list' }).optional(),
  /** How it is served from the current graph when the graph has moved on. */
  mappings: versionMappingsSchema.optional(),
  /** Deprecation and sunset; a version without it is not deprecated. */
  deprecated: versionDeprecationSchema.optional(),
});
export type BffVersionOptions = z.input<typeof bffVersionOptionsSchema>;

/** A client app (by its name and version headers) sent to a version when it calls `/<bff>/graphql`. */
export const clientVersionRouteSchema = strictObject({
  /** The client's name, exactly as it sends it (`apollographql-client-name`). */
  client: z.string(),
  /** Client versions from this one on (dotted numbers, inclusive). @default every version */
  from: z.string().optional(),
  /** Client versions below this one (exclusive). @default every version */
  below: z.string().optional(),
  /** The BFF version it is served. */
  version: z.string(),
});
export type ClientVersionRoute = z.input<typeof clientVersionRouteSchema>;

/** Where the BFF's versions are routed and its clients named: `versioning` in a BFF file. */
export const bffVersioningOptionsSchema = strictObject({
  /** Routing on `/<bff>/graphql` by header or client. */
  routing: strictObject({
    /**
     * A header naming the version on `/<bff>/graphql` (for apps that cannot
     * change their URL), e.g. `'x-api-version'`. An unknown value is 400
     * `UNKNOWN_API_VERSION`. @default no header routing
     */
    header: z.string().optional(),
    /** Routes by client name and version range; the first match wins, after `header`. @default [] */
    clients: z.array(clientVersionRouteSchema, { error: 'must be a list' }).optional(),
  }).optional(),
  /** Headers that name the calling client, for metrics, logs and client routing. */
  clientHeaders: strictObject({
    /** @default 'apollographql-client-name' */
    name: z.string().optional(),
    /** @default 'apollographql-client-version' */
    version: z.string().optional(),
  }).optional(),
  /** Distinct client names (and versions) kept as metric labels; later ones count as `other`. @default 50 */
  maxClientLabels: z.number().optional(),
});
export type BffVersioningOptions = z.input<typeof bffVersioningOptionsSchema>;
