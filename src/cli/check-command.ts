import { existsSync, readFileSync } from 'node:fs';
import { buildSchema, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { loadConfig } from './load-config';
import { composeBffSchemas, displayPath, type ComposedBffSchema } from './compose-bff-schemas';
import { loadPersistedManifest } from '../plugins/persisted/load-persisted-manifest';
import { createLogger } from '../core/logger';
import type { CliIo } from './cli-io';
import { createProgress, describeCount, withProgress } from './progress';

export interface CheckCommandOptions {
  configFile: string;
  /** No progress lines on stderr. */
  quiet?: boolean;
  io: CliIo;
}

const LABELS: Record<CriticalityLevel, string> = {
  [CriticalityLevel.Breaking]: 'BREAKING ',
  [CriticalityLevel.Dangerous]: 'DANGEROUS',
  [CriticalityLevel.NonBreaking]: 'SAFE     ',
};

function operationName(document: DocumentNode): string | undefined {
  for (const definition of document.definitions)
    if (definition.kind === 'OperationDefinition' && definition.name) return definition.name.value;
  return undefined;
}

/** Persisted operations of this BFF that no longer validate against its new schema: one line each. */
function brokenPersistedOperations(manifestFile: string, schema: GraphQLSchema): string[] {
  const broken: string[] = [];
  for (const [id, body] of Object.entries(loadPersistedManifest(manifestFile))) {
    let document: DocumentNode;
    try {
      document = parse(body);
    } catch (error) {
      broken.push(`${id}: ${(error as Error).message}`);
      continue;
    }
    const errors = validate(schema, document);
    if (errors.length)
      broken.push(
        `${operationName(document) ?? '(anonymous)'} ${id}: ${errors.map((error) => error.message).join('; ')}`,
      );
  }
  return broken;
}

async function checkBff(bff: ComposedBffSchema, io: CliIo): Promise<boolean> {
  if (!existsSync(bff.snapshotFile)) {
    io.out(`${bff.name}: no snapshot at ${displayPath(bff.snapshotFile)}; run loom compose and commit it\n`);
    return false;
  }
  // Both sides from printed SDL: the snapshot's terms (no applied directives, no resolvers).
  const changes: Change[] = await diff(buildSchema(readFileSync(bff.snapshotFile, 'utf8')), buildSchema(bff.sdl));
  const breaking = changes.filter((change) => change.criticality.level === CriticalityLevel.Breaking);
  const broken = bff.persistedManifest ? brokenPersistedOperations(bff.persistedManifest, bff.schema) : [];
  io.out(
    `${bff.name}: ${breaking.length} breaking, ${changes.length - breaking.length} safe or dangerous change(s) against ${displayPath(bff.snapshotFile)}\n`,
  );
  for (const change of changes)
    io.out(`  ${LABELS[change.criticality.level]} ${change.message}${change.path ? ` (${change.path})` : ''}\n`);
  if (bff.persistedManifest) {
    io.out(
      `  persisted operations (${displayPath(bff.persistedManifest)}): ${broken.length === 0 ? 'all valid' : `${broken.length} would break`}\n`,
    );
    for (const line of broken) io.out(`  BROKEN    persisted operation ${line}\n`);
  }
  return breaking.length === 0 && broken.length === 0;
}

/**
 * `loom check`: composes again and compares every BFF with its snapshot.
 * Prints each change; exits 1 on a breaking change, a missing snapshot or a
 * persisted operation that no longer validates.
 */
export async function runCheck({ configFile, quiet, io }: CheckCommandOptions): Promise<number> {
  const config = loadConfig(configFile);
  // Progress on stderr: stdout is the command's output (the file list, the check report).
  const bffs = await withProgress(
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
  let ok = true;
  for (const bff of bffs) if (!(await checkBff(bff, io))) ok = false;
  io.out(ok ? 'loom check: no breaking changes\n' : 'loom check: breaking changes found\n');
  return ok ? 0 : 1;
}
