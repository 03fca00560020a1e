import type { GraphQLSchema } from 'graphql';
import { stitchSchemas } from '@graphql-tools/stitch';
import type { SubschemaConfig } from '@graphql-tools/delegate';
import { loadSource } from '../handlers/registry';
import type { ResolvedConfig } from '../config/types';
import type { LoadedSource } from '../handlers/types';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger';

export interface ComposedGateway {
  /** The stitched schema every BFF is a view of. */
  readonly schema: GraphQLSchema;
  readonly sources: readonly LoadedSource[];
  close(): Promise<void>;
}

export interface ComposeOptions {
  logger: Logger;
  metrics: Registry;
}

/** Loads every source in parallel; if one fails, the others are closed and the first error is thrown. */
export async function loadSources(config: ResolvedConfig, { logger, metrics }: ComposeOptions): Promise<LoadedSource[]> {
  const settled = await Promise.allSettled(
    config.sources.map((source) => loadSource(source, { configDir: config.configDir, logger: logger.child({ source: source.name }), metrics })),
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

export function toSubschema(source: LoadedSource): SubschemaConfig {
  return { name: source.name, schema: source.schema, executor: source.executor, batch: false };
}

/** Loads the sources and stitches them into one gateway schema. */
export async function composeGateway(config: ResolvedConfig, options: ComposeOptions): Promise<ComposedGateway> {
  const sources = await loadSources(config, options);
  const schema = stitchSchemas({ subschemas: sources.map(toSubschema) });
  return {
    schema,
    sources,
    close: async () => {
      await Promise.allSettled(sources.map((source) => source.close?.()));
    },
  };
}
