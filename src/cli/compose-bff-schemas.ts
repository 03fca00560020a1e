import { existsSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { Registry } from 'prom-client';
import type { ResolvedConfig } from '../config/types';
import { createBffView } from '../bff/create-bff-view';
import { loadBffDefinition } from '../bff/load-bff-definition';
import type { BffViewOptions } from '../bff/define-bff';
import { createLogger, type Logger } from '../core/logger';
import type { CliIo } from './cli-io';
import { createProgress, describeCount, withProgress } from './progress';
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
  /**
   * 'allowList': serves only what it lists (new sources do not reach it);
   * 'denyList': trimmed by what it hides (new sources do reach it);
   * 'wholeGraph': no view, everything on purpose.
   */
  readonly viewKind: BffViewKind;
}

export type BffViewKind = 'allowList' | 'denyList' | 'wholeGraph';

export function viewKindOf(view: BffViewOptions | undefined): BffViewKind {
  if (view?.allowList) return 'allowList';
  return view?.include?.length || view?.exclude?.length || view?.listBoundArguments?.length ? 'denyList' : 'wholeGraph';
}

/** A composed BFF's snapshot text and where its snapshot and persisted operations live. */
export function describeComposedBff(
  name: string,
  file: string,
  schema: GraphQLSchema,
  config: ResolvedConfig,
  view: BffViewOptions | undefined,
): ComposedBffSchema {
  const manifest = join(dirname(file), `${basename(name)}.persisted.json`);
  return {
    name,
    schema,
    sdl: printStableSchema(schema),
    snapshotFile: join(config.schemaDir, `${name}.graphql`),
    persistedManifest: existsSync(manifest) ? manifest : undefined,
    viewKind: viewKindOf(view),
  };
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
      const entry = (
        label: string,
        schema: GraphQLSchema,
        snapshotFile: string,
        manifestName: string,
        view: BffViewOptions | undefined,
      ): ComposedBffSchema => {
        const manifest = join(dirname(file), manifestName);
        return {
          name: label,
          schema,
          sdl: printStableSchema(schema),
          snapshotFile,
          persistedManifest: existsSync(manifest) ? manifest : undefined,
          viewKind: viewKindOf(view),
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
            definition.view,
          ),
        ];
      // Each version against its own snapshot and persisted operations; the current one keeps the BFF's.
      return createVersionSchemas(name, definition, versioning, composed.schema).map(({ version, schema }) => {
        const stem = version.current ? name : `${name}.${version.name}`;
        const snapshot = version.snapshot
          ? resolve(config.configDir, version.snapshot)
          : join(config.schemaDir, `${stem}.graphql`);
        const view = versioning.versions.get(version.name)?.view ?? definition.view;
        return entry(`${name} ${version.name}`, schema, snapshot, `${basename(stem)}.persisted.json`, view);
      });
    });
  } finally {
    await composed.close();
  }
}

/**
 * `loom compose` and `loom check`: composes every BFF with progress on stderr
 * (stdout is the command's output: the file list, the check report) and
 * warnings as log lines on stderr too.
 */
export function composeBffSchemasWithProgress(
  config: ResolvedConfig,
  io: CliIo,
  quiet: boolean | undefined,
): Promise<ComposedBffSchema[]> {
  return withProgress(
    createProgress(io, quiet),
    `loading and composing ${describeCount(
      'source',
      config.sources.map((source) => source.name),
    )}`,
    'composed',
    () =>
      composeBffSchemas(
        config,
        createLogger({ level: 'warn', destination: { write: (line: string) => io.err(line) } }),
      ),
  );
}
