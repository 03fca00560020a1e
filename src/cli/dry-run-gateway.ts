import { Subschema } from '@graphql-tools/delegate';
import type { GraphQLSchema } from 'graphql';
import { CriticalityLevel } from '@graphql-inspector/core';
import { createGateway } from '../server/create-gateway';
import { toSubschema } from '../compose/compose-gateway';
import { createLogger } from '../core/logger';
import { loadConfig } from './load-config';
import { describeComposedBff } from './compose-bff-schemas';
import { checkBffSchema, describeGainedMutations } from './check-command';

export interface DryRunOptions {
  /** The config to try (a staged copy of the user's, beside it). */
  configFile: string;
  cwd: string;
  /** The source being added: its root fields are counted per BFF. */
  sourceName?: string;
  progress(line: string): void;
}

type Operation = 'Query' | 'Mutation' | 'Subscription';

export interface DryRunReport {
  /** Root fields of the new source, as the gateway names them. */
  readonly rootFields: number;
  /** Per BFF, how many of the new source's root fields it serves. */
  readonly bffs: ReadonlyArray<{ name: string; gained: Readonly<Record<Operation, number>> }>;
  /** `loom check`, one line per BFF. */
  readonly checkLines: readonly string[];
  readonly checkOk: boolean;
}

const OPERATIONS: readonly Operation[] = ['Query', 'Mutation', 'Subscription'];

function rootFieldNames(schema: GraphQLSchema, operation: Operation): string[] {
  const type =
    operation === 'Query'
      ? schema.getQueryType()
      : operation === 'Mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  return Object.keys(type?.getFields() ?? {});
}

/**
 * Loads the config, composes the whole gateway and builds every BFF with
 * `createGateway`, the function `loom serve` runs (without Redis: nothing is
 * served, and a dry run must not touch shared counters), then checks every
 * BFF against its snapshot. Throws the ConfigError serve would stop on.
 */
export async function dryRunGateway({ configFile, cwd, sourceName, progress }: DryRunOptions): Promise<DryRunReport> {
  const config = loadConfig(configFile, cwd);
  progress(
    `composing ${config.sources.length} source(s) and building ${Object.keys(config.bffs).length} BFF(s), as serve does`,
  );
  const logger = createLogger({ level: 'error', destination: { write: (line: string) => progress(line.trimEnd()) } });
  const gateway = await createGateway({ config: { ...config, redis: undefined }, logger });
  try {
    const loaded = gateway.composed.sources.find((source) => source.name === sourceName);
    const options = config.sources.find((source) => source.name === sourceName);
    const added = loaded ? new Subschema(toSubschema(loaded, options)).transformedSchema : undefined;
    const addedFields = Object.fromEntries(
      OPERATIONS.map((operation) => [operation, new Set(added ? rootFieldNames(added, operation) : [])]),
    ) as Record<Operation, Set<string>>;
    const checkLines: string[] = [];
    let checkOk = true;
    const bffs = [];
    for (const app of gateway.bffs.values()) {
      const gained = Object.fromEntries(
        OPERATIONS.map((operation) => [
          operation,
          rootFieldNames(app.schema, operation).filter((field) => addedFields[operation].has(field)).length,
        ]),
      ) as Record<Operation, number>;
      bffs.push({ name: app.name, gained });
      const composed = describeComposedBff(app.name, config.bffs[app.name]!, app.schema, config, app.definition.view);
      const result = await checkBffSchema(composed);
      if (!result.hasSnapshot) checkLines.push(`${app.name}: no snapshot to compare with`);
      else {
        const safe = result.changes.length - result.breaking;
        checkLines.push(
          `${app.name}: ${result.breaking} breaking, ${safe} safe or dangerous change(s)${result.brokenOperations.length ? `, ${result.brokenOperations.length} persisted operation(s) would break` : ''}`,
        );
        for (const change of result.changes)
          if (change.criticality.level === CriticalityLevel.Breaking) checkLines.push(`  BREAKING ${change.message}`);
        const warning = describeGainedMutations(result);
        if (warning) checkLines.push(`  WARNING ${warning}`);
        if (result.breaking > 0 || result.brokenOperations.length > 0) checkOk = false;
      }
    }
    const rootFields = OPERATIONS.reduce((sum, operation) => sum + addedFields[operation].size, 0);
    return { rootFields, bffs, checkLines, checkOk };
  } finally {
    await gateway.close();
  }
}
