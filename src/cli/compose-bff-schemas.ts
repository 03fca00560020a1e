import { existsSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { Registry } from 'prom-client';
import type { ResolvedConfig } from '../config/types';
import { createBffView } from '../bff/create-bff-view';
import { loadBffDefinition } from '../bff/load-bff-definition';
import type { Logger } from '../core/logger';
import { composeGateway } from '../compose/compose-gateway';
import { createSchemaCache } from '../handlers/schema-cache/schema-cache';
import { parseVersioning } from '../bff/versions/parse-versioning';
import { createVersionSchemas } from '../bff/versions/create-versioned-bff-app';

export interface ComposedBffSchema {
  /** The BFF's name; `<bff> <version>` for a version of a versioned BFF. */
  readonly name: string;
  /** The BFF's view of the gateway schema. */
  readonly schema: GraphQLSchema;
  /** Sorted, stable SDL: the snapshot text. */
  readonly sdl: string;
  /** schema/<bff>.graphql (a version: its `snapshot`, or schema/<bff>.<version>.graphql unless current) */
  readonly snapshotFile: string;
  /** <bff dir>/<bff>.persisted.json (a version that is not current: <bff>.<version>.persisted.json), when present. */
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
    return Object.entries(config.bffs).flatMap(([name, file]): ComposedBffSchema[] => {
      const definition = loadBffDefinition(name, file);
      const entry = (label: string, schema: GraphQLSchema, snapshotFile: string, manifestName: string) => {
        const manifest = join(dirname(file), manifestName);
        return {
          name: label,
          schema,
          sdl: printStableSchema(schema),
          snapshotFile,
          persistedManifest: existsSync(manifest) ? manifest : undefined,
        };
      };
      const versioning = parseVersioning(name, definition);
      if (!versioning)
        return [
          entry(
            name,
            createBffView(composed.schema, definition.view, name),
            join(config.schemaDir, `${name}.graphql`),
            `${basename(name)}.persisted.json`,
          ),
        ];
      // Each version against its own snapshot and persisted operations; the current one keeps the BFF's.
      return createVersionSchemas(name, definition, versioning, composed.schema).map(({ version, schema }) => {
        const stem = version.current ? name : `${name}.${version.name}`;
        const snapshot = version.snapshot
          ? resolve(config.configDir, version.snapshot)
          : join(config.schemaDir, `${stem}.graphql`);
        return entry(`${name} ${version.name}`, schema, snapshot, `${basename(stem)}.persisted.json`);
      });
    });
  } finally {
    await composed.close();
  }
}
