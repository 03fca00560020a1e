import type { GraphQLSchema } from 'graphql';
import { stitchSchemas } from '@graphql-tools/stitch';
import { Subschema, type SubschemaConfig } from '@graphql-tools/delegate';
import type { Registry } from 'prom-client';
import { loadSource } from '../handlers/registry';
import type { SourceOptions } from '../handlers/source-options';
import type { LinkConfig } from './link-config';
import type { SchemaCache } from '../handlers/schema-cache/schema-cache';
import type { LoadedSource } from '../handlers/types';
import type { Logger } from '../core/logger';
import type { UpstreamContext } from '../upstream/upstream-source';
import { ConfigError } from '../core/errors';
import { createRenameTransforms } from './rename-transforms';
import { checkNamingConflicts } from './check-naming-conflicts';
import { createLinks, type LinkableSource } from './create-links';
import { applyMergedTypes, type MergeableSource } from './create-merged-types';
import { createDirectSourceRouter, type DirectSourceRouter } from './direct-source-router';
import { withEagerIncrementalDelivery } from './eager-incremental-executor';

export interface ComposedGateway {
  /** The stitched schema every BFF is a view of. */
  readonly schema: GraphQLSchema;
  readonly sources: readonly LoadedSource[];
  /** Operations one untransformed source answers alone (links within it included): they may skip delegation. */
  readonly directRouter: DirectSourceRouter;
  close(): Promise<void>;
}

/** The part of a validated config that makes the graph: sources, links and where relative specs resolve. */
export interface GraphConfig {
  readonly sources: readonly SourceOptions[];
  readonly links: readonly LinkConfig[];
  readonly configDir: string;
}

export interface ComposeOptions {
  logger: Logger;
  metrics: Registry;
  /** Shared state for upstream credentials (OAuth2 tokens), when the gateway has Redis. */
  redis?: UpstreamContext['redis'];
  /** Generated source schemas on disk; none: generated at every start. */
  schemaCache?: SchemaCache;
}

/** Loads every source in parallel; if one fails, the others are closed and the first error is thrown. */
export async function loadSources(
  config: Pick<GraphConfig, 'sources' | 'configDir'>,
  { logger, metrics, redis, schemaCache }: ComposeOptions,
): Promise<LoadedSource[]> {
  const settled = await Promise.allSettled(
    config.sources.map((source) =>
      loadSource(source, {
        configDir: config.configDir,
        logger: logger.child({ source: source.name }),
        metrics,
        redis,
        schemaCache,
      }),
    ),
  );
  const loaded = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await Promise.allSettled(loaded.map((source) => source.close?.()));
    throw failed.reason;
  }
  for (const source of loaded) for (const warning of source.warnings) logger.warn({ source: source.name }, warning);
  return loaded;
}

export function toSubschema(source: LoadedSource, options?: SourceOptions): SubschemaConfig {
  // batch: false: every root field is its own executor call, so one upstream
  // call is one span, one metric and one retry/breaker decision.
  // defer: true keeps a deferred fragment's fields in the source's request
  // (delegate would otherwise leave them out and never fetch them); the
  // wrapper strips @defer/@stream so the source answers them eagerly, and the
  // gateway delivers them incrementally (eager-incremental-executor.ts).
  return {
    name: source.name,
    schema: source.schema,
    executor: withEagerIncrementalDelivery(source.executor),
    batch: false,
    defer: true,
    transforms: createRenameTransforms(options?.rename),
  };
}

/** Stitches loaded sources and the config's links into one schema; fails on unresolved naming conflicts. */
export function stitchSources(
  config: Pick<GraphConfig, 'sources' | 'links'>,
  sources: readonly LoadedSource[],
): { schema: GraphQLSchema; directRouter: DirectSourceRouter } {
  const linkable: Array<LinkableSource & MergeableSource> = sources.map((source) => {
    const options = config.sources.find((candidate) => candidate.name === source.name);
    const subschema = new Subschema(toSubschema(source, options));
    return {
      name: source.name,
      subschema,
      schema: subschema.transformedSchema,
      batchEndpoints: source.batchEndpoints,
      renamed: (subschema.transforms ?? []).length > 0,
      merge: options?.merge,
    };
  });
  checkNamingConflicts(linkable);
  applyMergedTypes(linkable);
  const { typeDefs, resolvers, plans } = createLinks(config.links, linkable);
  // Sources with no read operation have no Query type (no placeholder per
  // source). GraphQL requires one, so a graph where no source has any gets a
  // single, documented field instead of failing.
  if (!linkable.some((source) => source.schema.getQueryType())) {
    typeDefs.push(
      'type Query { "GraphQL requires a Query type; no source of this gateway has a read operation." _noReadOperations: Boolean }',
    );
  }
  let schema: GraphQLSchema;
  try {
    schema = stitchSchemas({ subschemas: linkable.map((source) => source.subschema), typeDefs, resolvers });
  } catch (error) {
    throw new ConfigError(`cannot compose the sources: ${(error as Error).message.split('\n')[0]}`);
  }
  const untransformed = sources.filter((_source, index) => !linkable[index].renamed);
  return { schema, directRouter: createDirectSourceRouter({ schema, untransformed, links: plans }) };
}

/** Loads the sources and stitches them into one gateway schema. */
export async function composeGateway(config: GraphConfig, options: ComposeOptions): Promise<ComposedGateway> {
  const sources = await loadSources(config, options);
  const close = async () => {
    await Promise.allSettled(sources.map((source) => source.close?.()));
  };
  try {
    return { ...stitchSources(config, sources), sources, close };
  } catch (error) {
    await close();
    throw error;
  }
}
