import { existsSync, readFileSync } from 'node:fs';
import { buildSchema, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { loadConfig } from './load-config';
import { composeBffSchemasWithProgress, displayPath, type ComposedBffSchema } from './compose-bff-schemas';
import { loadPersistedManifest } from '../plugins/persisted/load-persisted-manifest';
import type { CliIo } from './cli-io';

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

/** What `loom check` found for one BFF. */
export interface BffCheckResult {
  readonly name: string;
  /** False without a snapshot to compare with. */
  readonly hasSnapshot: boolean;
  readonly changes: readonly Change[];
  readonly breaking: number;
  /** Persisted operations that no longer validate, one line each. */
  readonly brokenOperations: readonly string[];
  /** Mutations the snapshot does not have, on a trimmed view that is not an allow-list. */
  readonly gainedMutations: readonly string[];
  readonly ok: boolean;
}

function mutationNames(schema: GraphQLSchema): Set<string> {
  return new Set(Object.keys(schema.getMutationType()?.getFields() ?? {}));
}

/** Compares one composed BFF with its snapshot and persisted operations. */
export async function checkBffSchema(bff: ComposedBffSchema): Promise<BffCheckResult> {
  if (!existsSync(bff.snapshotFile))
    return {
      name: bff.name,
      hasSnapshot: false,
      changes: [],
      breaking: 0,
      brokenOperations: [],
      gainedMutations: [],
      ok: false,
    };
  // Both sides from printed SDL: the snapshot's terms (no applied directives, no resolvers).
  const before = buildSchema(readFileSync(bff.snapshotFile, 'utf8'));
  const changes: Change[] = await diff(before, buildSchema(bff.sdl));
  const breaking = changes.filter((change) => change.criticality.level === CriticalityLevel.Breaking).length;
  const brokenOperations = bff.persistedManifest ? brokenPersistedOperations(bff.persistedManifest, bff.schema) : [];
  const known = mutationNames(before);
  const gainedMutations =
    bff.viewKind === 'denyList' ? [...mutationNames(bff.schema)].filter((name) => !known.has(name)) : [];
  return {
    name: bff.name,
    hasSnapshot: true,
    changes,
    breaking,
    brokenOperations,
    gainedMutations,
    ok: breaking === 0 && brokenOperations.length === 0,
  };
}

/** The warning for a deny-list view that gains mutations: new sources reach it unless someone hides them. */
export function describeGainedMutations(result: BffCheckResult): string | undefined {
  const { gainedMutations: gained } = result;
  if (gained.length === 0) return undefined;
  const shown =
    gained.length > 5 ? `${gained.slice(0, 5).join(', ')} and ${gained.length - 5} more` : gained.join(', ');
  return `${result.name} is a deny-list view and gains ${gained.length} mutation(s): ${shown}; make it an allow-list (view.allowList with view.include) so new sources stay off it`;
}

/** Description edits (added, changed, removed): listed one by one they drown the changes clients feel. */
function isDescriptionChange(change: Change): boolean {
  return change.type.includes('DESCRIPTION');
}

/** One line for every description edit of a BFF: how many, and the first coordinates. */
export function summarizeDescriptionChanges(changes: readonly Change[]): string | undefined {
  const edited = changes.filter(isDescriptionChange);
  if (edited.length === 0) return undefined;
  const paths = [...new Set(edited.map((change) => change.path ?? '(schema)'))];
  const shown = paths.length > 5 ? `${paths.slice(0, 5).join(', ')} and ${paths.length - 5} more` : paths.join(', ');
  return `${edited.length} description change(s): ${shown}`;
}

function printBffCheck(bff: ComposedBffSchema, result: BffCheckResult, io: CliIo): void {
  if (!result.hasSnapshot) {
    io.out(`${bff.name}: no snapshot at ${displayPath(bff.snapshotFile)}; run loom compose and commit it\n`);
    return;
  }
  const { changes, breaking, brokenOperations } = result;
  io.out(
    `${bff.name}: ${breaking} breaking, ${changes.length - breaking} safe or dangerous change(s) against ${displayPath(bff.snapshotFile)}\n`,
  );
  // What clients see, one line each; description edits summed up in one line (the snapshot diff has them all).
  for (const change of changes.filter((candidate) => !isDescriptionChange(candidate)))
    io.out(`  ${LABELS[change.criticality.level]} ${change.message}${change.path ? ` (${change.path})` : ''}\n`);
  const descriptions = summarizeDescriptionChanges(changes);
  if (descriptions) io.out(`  ${LABELS[CriticalityLevel.NonBreaking]} ${descriptions}\n`);
  const warning = describeGainedMutations(result);
  if (warning) io.out(`  WARNING   ${warning}\n`);
  if (bff.persistedManifest) {
    io.out(
      `  persisted operations (${displayPath(bff.persistedManifest)}): ${brokenOperations.length === 0 ? 'all valid' : `${brokenOperations.length} would break`}\n`,
    );
    for (const line of brokenOperations) io.out(`  BROKEN    persisted operation ${line}\n`);
  }
}

/**
 * `loom check`: composes again and compares every BFF with its snapshot.
 * Prints each change; exits 1 on a breaking change, a missing snapshot or a
 * persisted operation that no longer validates.
 */
export async function runCheck({ configFile, quiet, io }: CheckCommandOptions): Promise<number> {
  const config = loadConfig(configFile);
  const bffs = await composeBffSchemasWithProgress(config, io, quiet);
  let ok = true;
  for (const bff of bffs) {
    const result = await checkBffSchema(bff);
    printBffCheck(bff, result, io);
    if (!result.ok) ok = false;
  }
  io.out(ok ? 'loom check: no breaking changes\n' : 'loom check: breaking changes found\n');
  return ok ? 0 : 1;
}
