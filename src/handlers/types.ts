import type { GraphQLSchema } from 'graphql';
import type { Executor } from '@graphql-tools/utils';
import type { UpstreamPolicyOptions } from '../upstream/upstream-policy-options';
import type { UpstreamContext } from '../upstream/upstream-source';

import type { SourceKind } from '../core/source-kind';
import type { SchemaCache } from './schema-cache/schema-cache';

export type { SourceKind };

/** Options every source kind shares. Kind-specific options extend this in the handler's folder. */
export interface BaseSourceOptions {
  /** Unique source name; used in errors, metrics and traces. */
  name: string;
  /** One upstream endpoint, or several for load balancing and failover. Overrides the spec's own servers. */
  endpoint?: string | string[];
  /** Static headers (or gRPC metadata) sent with every upstream call. */
  headers?: Record<string, string>;
  /** Client request headers copied onto upstream calls (e.g. `authorization`, `x-api-key`). */
  forwardHeaders?: string[];
  /** Send the request id as `x-request-id` (HTTP header, gRPC metadata) on every upstream call. @default true */
  propagateRequestId?: boolean;
  /** Per-call timeout for this source, in milliseconds; bounds each attempt's headers and body together. @default 10000 */
  timeoutMs?: number;
  /** Largest upstream answer body, in bytes, counted while it streams; past it the call fails with UPSTREAM_RESPONSE_TOO_LARGE. HTTP sources. @default 10485760 (10 MB) */
  maxResponseBytes?: number;
  /** Retries, circuit breaker, load balancing, shadowing (src/upstream). */
  upstream?: UpstreamPolicyOptions;
  /** Naming rules that resolve clashes with other sources. */
  rename?: SourceRenameOptions;
  /** Entities this source shares with other sources (type merging), by type name after renames. */
  merge?: Record<string, EntityMergeOptions>;
}

/** How a source fetches its part of a shared entity, e.g. `{ key: 'id', resolveWith: 'getCustomer' }`. */
export interface EntityMergeOptions {
  /** Field of the entity that identifies it in every source. */
  key: string;
  /** Query field (after renames) that returns the entity by key, or a list of them by a list of keys. */
  resolveWith: string;
  /** Argument of `resolveWith` that takes the key(s). @default the only argument, else `key` */
  keyArgument?: string;
  /** Use a batch endpoint found for the entity ('auto'), never ('off'). @default 'auto' */
  batch?: 'auto' | 'off';
}

export interface SourceRenameOptions {
  /** Prefix for every type name of this source (root types excepted). */
  typePrefix?: string;
  /** Prefix for every root field of this source. */
  rootFieldPrefix?: string;
  /** Explicit renames: `{ OldType: 'NewType' }`. */
  types?: Record<string, string>;
  /** Explicit root field renames: `{ 'Query.getUser': 'user' }`. */
  rootFields?: Record<string, string>;
}

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
