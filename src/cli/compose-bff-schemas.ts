import { existsSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { Registry } from 'prom-client';
import type { ResolvedConfig } from '../config/types';
import { createBffView } from '../bff/create-bff-view';
import { loadBffDefinition } from '../bff/load-bff-definition';
import type { BffViewOptions } from '../bff/define-bff';
import type { Logger } from '../core/logger';
import { composeGateway } from '../compose/compose-gateway';

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
  const composed = await composeGateway(config, { logger, metrics: new Registry() });
  try {
    return Object.entries(config.bffs).map(([name, file]) => {
      const { view } = loadBffDefinition(name, file);
      const schema = createBffView(composed.schema, view, name);
      return describeComposedBff(name, file, schema, config, view);
    });
  } finally {
    await composed.close();
  }
}
