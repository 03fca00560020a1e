import type { GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger';

/** What a BFF's client can see of the gateway graph. Patterns are globs (picomatch). */
export interface BffViewOptions {
  /** Root fields, types or `Type.field` coordinates to keep; everything else is hidden. @default ['*'] (all) */
  include?: string[];
  /** Root fields, types or `Type.field` coordinates to hide. Applied after `include`. */
  exclude?: string[];
  /** Renames: `{ 'Query.getCustomer': 'customer', Customer: 'Client' }`. */
  renames?: Record<string, string>;
  /** Arguments hidden from the client, set to a fixed value: `{ 'Query.listProducts.limit': 20 }`. */
  hiddenArguments?: Record<string, unknown>;
}

/** Everything a policy factory may need from the gateway, given once per BFF at start-up. */
export interface PolicyContext {
  readonly bffName: string;
  /** This BFF's schema (the trimmed view). */
  readonly schema: GraphQLSchema;
  readonly production: boolean;
  readonly logger: Logger;
  /** Shared Redis connection, when the config names one. */
  readonly redis?: Redis;
  /** Key prefix for anything this BFF stores in Redis. */
  readonly redisKeyPrefix: string;
  /** The gateway's Prometheus registry. */
  readonly metrics: Registry;
  /** Register a check that /readyz runs. */
  addReadinessCheck(name: string, check: () => Promise<boolean> | boolean): void;
}

/** A policy: an envelop plugin, or a factory that builds one from the BFF's context. One line in a BFF file. */
export type BffPolicy = Plugin | ((context: PolicyContext) => Plugin | Plugin[]);

export interface BffDefinition {
  /** The client's view of the graph. @default the whole graph */
  view?: BffViewOptions;
  /** Whether introspection queries are allowed. @default true outside production */
  introspection?: boolean;
  /** Whether GraphiQL answers a browser GET. @default same as introspection */
  graphiql?: boolean;
  /** Policies in the order they run. */
  policies?: BffPolicy[];
  /** Human description shown on the portal. */
  description?: string;
}

/** Types a BFF file: `export default defineBff({...})`. */
export function defineBff(definition: BffDefinition): BffDefinition {
  return definition;
}
