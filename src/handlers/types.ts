import type { GraphQLSchema } from 'graphql';
import type { Executor } from '@graphql-tools/utils';
import { z } from 'zod';
import {
  flag,
  nonEmptyString,
  oneOf,
  positiveInteger,
  positiveNumber,
  stringList,
  stringMap,
  strictObject,
} from '../core/options-schema';
import { upstreamPolicyOptionsSchema } from '../upstream/upstream-policy-options';
import { endpointsSchema, type EndpointForm } from '../upstream/endpoint-schemas';
import type { UpstreamContext } from '../upstream/upstream-source';
import { upstreamCredentialsSchema } from '../upstream/credentials/validate-credentials-options';

import type { SourceKind } from '../core/source-kind';
import type { SchemaCache } from './schema-cache/schema-cache';

export type { SourceKind };

/** How a source fetches its part of a shared entity, e.g. `{ key: 'id', resolveWith: 'getCustomer' }`. */
export const entityMergeOptionsSchema = strictObject({
  /** Field of the entity that identifies it in every source. */
  key: nonEmptyString(),
  /** Query field (after renames) that returns the entity by key, or a list of them by a list of keys. */
  resolveWith: nonEmptyString(),
  /** Argument of `resolveWith` that takes the key(s). @default the only argument, else `key` */
  keyArgument: nonEmptyString().optional(),
  /** Use a batch endpoint found for the entity ('auto'), never ('off'). @default 'auto' */
  batch: oneOf(['auto', 'off']).optional(),
});
export type EntityMergeOptions = z.input<typeof entityMergeOptionsSchema>;

export const sourceRenameOptionsSchema = strictObject({
  /** Prefix for every type name of this source (root types excepted). */
  typePrefix: z.string().optional(),
  /** Prefix for every root field of this source. */
  rootFieldPrefix: z.string().optional(),
  /** Explicit renames: `{ OldType: 'NewType' }`. */
  types: stringMap().optional(),
  /** Explicit root field renames: `{ 'Query.getUser': 'user' }`. */
  rootFields: stringMap().optional(),
});
export type SourceRenameOptions = z.input<typeof sourceRenameOptionsSchema>;

const SOURCE_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * Options every source kind shares; each handler's schema spreads this shape
 * with its kind, its spec fields and its endpoint form (URL or host:port).
 */
export function baseSourceShape(form: EndpointForm) {
  return {
    /** Unique source name; used in errors, metrics and traces. */
    name: z.string({ error: `must match ${SOURCE_NAME}` }).regex(SOURCE_NAME, { error: `must match ${SOURCE_NAME}` }),
    /** One upstream endpoint, or several for load balancing and failover. Overrides the spec's own servers. */
    endpoint: endpointsSchema(form).optional(),
    /** Static headers (or gRPC metadata) sent with every upstream call. */
    headers: stringMap().optional(),
    /** Client request headers copied onto upstream calls (e.g. `authorization`, `x-api-key`). */
    forwardHeaders: stringList().optional(),
    /** Send the request id as `x-request-id` (HTTP header, gRPC metadata) on every upstream call. @default true */
    propagateRequestId: flag().optional(),
    /** Per-call timeout for this source, in milliseconds; bounds each attempt's headers and body together. @default 10000 */
    timeoutMs: positiveNumber().optional(),
    /** Largest upstream answer body, in bytes, counted while it streams; past it the call fails with UPSTREAM_RESPONSE_TOO_LARGE. HTTP sources. @default 10485760 (10 MB) */
    maxResponseBytes: positiveInteger(' (bytes)').optional(),
    /**
     * How Loom authenticates to this source: a static bearer, OAuth2 client
     * credentials or HMAC signing (HMAC: HTTP sources), plus a client
     * certificate (`tls`, mTLS). Secrets come from `{ env }` or `{ file }` only.
     */
    credentials: upstreamCredentialsSchema(form === 'address' ? 'grpc' : 'http').optional(),
    /** Retries, circuit breaker, load balancing, shadowing (src/upstream). */
    upstream: upstreamPolicyOptionsSchema(form).optional(),
    /** Naming rules that resolve clashes with other sources. */
    rename: sourceRenameOptionsSchema.optional(),
    /** Entities this source shares with other sources (type merging), by type name after renames. */
    merge: z
      .record(z.string(), entityMergeOptionsSchema, { error: 'must be an object of type: merge rule' })
      .optional(),
  };
}

export const baseSourceSchema = strictObject(baseSourceShape('url'));

/** Options every source kind shares. Kind-specific options extend this in the handler's folder. */
export type BaseSourceOptions = z.input<typeof baseSourceSchema>;

export interface HandlerContext extends UpstreamContext {
  /** Directory that relative spec paths resolve against (the config file's directory). */
  readonly configDir: string;
  /** Generated schemas on disk (OpenAPI sources); none: every start generates them. */
  readonly schemaCache?: SchemaCache;
}

/**
 * A batch endpoint a handler found in its spec: a root field that takes a list
 * of keys and returns a list of entities. Composition uses it for links.
 */
export interface BatchEndpoint {
  /** Root field that serves a single entity, e.g. `getCustomer` (may be absent). */
  singleField?: string;
  /** Root field that takes a list of keys, e.g. `listCustomers`. */
  batchField: string;
  /** Argument of `batchField` that carries the list of keys. */
  keysArgument: string;
  /** Field of the returned entity that holds its key, e.g. `id`. */
  keyField: string;
  /** Name of the entity type, e.g. `Customer`. */
  typeName: string;
}

export interface LoadedSource {
  readonly name: string;
  readonly kind: SourceKind;
  /** Same spec in, same SDL out. */
  readonly schema: GraphQLSchema;
  /** The only road to the backend. */
  readonly executor: Executor;
  /** Batch endpoints detected in the spec. */
  readonly batchEndpoints: readonly BatchEndpoint[];
  /** Things skipped or approximated while loading, reported at start-up. */
  readonly warnings: readonly string[];
  /** Releases clients and connections. */
  close?(): Promise<void>;
}

export interface SourceHandler<Options extends BaseSourceOptions> {
  readonly kind: SourceKind;
  load(source: Options, context: HandlerContext): Promise<LoadedSource>;
}
