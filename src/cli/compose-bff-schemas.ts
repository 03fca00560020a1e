import { existsSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { Registry } from 'prom-client';
import type { ResolvedConfig } from '../config/types';
import { createBffView } from '../bff/create-bff-view';
import { loadBffDefinition } from '../bff/load-bff-definition';
import type { Logger } from '../core/logger';
import { composeGateway } from '../compose/compose-gateway';
import { createSchemaCache } from '../handlers/schema-cache/schema-cache';

export interface ComposedBffSchema {
  readonly name: string;
  /** The BFF's view of the gateway schema. */
  readonly schema: GraphQLSchema;
  /** Sorted, stable SDL: the snapshot text. */
  readonly sdl: string;
  /** schema/<bff>.graphql */
  readonly snapshotFile: string;
  /** <bff dir>/<bff>.persisted.json, when present. */
  readonly persistedManifest?: string;
}

/** Sorted and printed, so the same graph always gives the same bytes. */
export function printStableSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

export function displayPath(file: string): string {
  const fromCwd = relative(process.cwd(), file);
  return fromCwd && !fromCwd.startsWith('..') ? fromCwd : file;
}

/** Loads the sources, stitches them and computes every BFF's view and snapshot text. Closes the sources. */
export async function composeBffSchemas(config: ResolvedConfig, logger: Logger): Promise<ComposedBffSchema[]> {
  const schemaCache = config.schemaCache ? createSchemaCache({ ...config.schemaCache, logger }) : undefined;
  const composed = await composeGateway(config, { logger, metrics: new Registry(), schemaCache });
  try {
    return Object.entries(config.bffs).map(([name, file]) => {
      const schema = createBffView(composed.schema, loadBffDefinition(name, file).view, name);
      const manifest = join(dirname(file), `${basename(name)}.persisted.json`);
      return {
        name,
        schema,
        sdl: printStableSchema(schema),
        snapshotFile: join(config.schemaDir, `${name}.graphql`),
        persistedManifest: existsSync(manifest) ? manifest : undefined,
      };
    });
  } finally {
    await composed.close();
  }
}
