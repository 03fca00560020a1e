import {
  getNamedType,
  getNullableType,
  GraphQLList,
  isListType,
  isObjectType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import type { MergedTypeConfig, Subschema } from '@graphql-tools/delegate';
import { batchDelegateToSchema } from '@graphql-tools/batch-delegate';
import { ConfigError } from '../core/errors';
import { selectionWithKey, valuesByKey } from './match-by-key';
import { findBatchEndpoints } from '../handlers/find-batch-endpoints';
import type { EntityMergeOptions } from '../handlers/types';

export interface MergeableSource {
  readonly name: string;
  readonly subschema: Subschema;
  /** The source's schema after renames. */
  readonly schema: GraphQLSchema;
  readonly merge?: Readonly<Record<string, EntityMergeOptions>>;
}

function keyArgumentOf(where: string, options: EntityMergeOptions, args: readonly { name: string }[]): string {
  const name = options.keyArgument ?? (args.length === 1 ? args[0].name : options.key);
  if (!args.some((arg) => arg.name === name))
    throw new ConfigError(`${where}: ${options.resolveWith} has no argument "${name}" (set keyArgument)`);
  return name;
}

/**
 * Stitching's own batched merge resolver, except that the batch query also
 * selects the key field, so answers are matched by key, not by position.
 */
function batchedMerge(
  source: string,
  typeName: string,
  keyField: string,
  fieldName: string,
  keysArgument: string,
): MergedTypeConfig {
  const valuesFromResults = valuesByKey(source, typeName, keyField);
  return {
    selectionSet: `{ ${keyField} }`,
    key: (entity: Record<string, unknown>) => entity[keyField],
    resolve: (_original, context, info, subschema, selectionSet, key, type) =>
      batchDelegateToSchema({
        schema: subschema,
        operation: 'query' as never,
        fieldName,
        // `type` is unset when stitching fetches a field on demand (a field of
        // this source inside a deferred fragment): `info` is then that field's,
        // so its return type is not the entity's. Stitching's own resolvers look
        // the merged type up by name, as here.
        returnType: new GraphQLList(type ?? (info.schema.getType(typeName) as GraphQLObjectType)),
        key,
        argsFromKeys: (keys) => ({ [keysArgument]: keys }),
        valuesFromResults,
        selectionSet: selectionWithKey(selectionSet, keyField),
        context,
        info,
        skipTypeMerging: true,
      }),
  };
}

function mergedTypeConfig(source: MergeableSource, typeName: string, options: EntityMergeOptions): MergedTypeConfig {
  const where = `source "${source.name}": merge.${typeName}`;
  const type = source.schema.getType(typeName);
  if (!isObjectType(type)) throw new ConfigError(`${where}: the source has no object type ${typeName}`);
  if (!type.getFields()[options.key])
    throw new ConfigError(`${where}: type ${typeName} has no key field "${options.key}"`);
  const rootField = source.schema.getQueryType()?.getFields()[options.resolveWith];
  if (!rootField || getNamedType(rootField.type).name !== typeName) {
    throw new ConfigError(`${where}: the source has no query field "${options.resolveWith}" returning ${typeName}`);
  }
  const keyArgument = keyArgumentOf(where, options, rootField.args);
  if (isListType(getNullableType(rootField.type)))
    return batchedMerge(source.name, typeName, options.key, rootField.name, keyArgument);
  const batch =
    options.batch !== 'off' &&
    findBatchEndpoints(source.schema).find(
      (endpoint) => endpoint.typeName === typeName && endpoint.keyField === options.key,
    );
  if (batch) return batchedMerge(source.name, typeName, options.key, batch.batchField, batch.keysArgument);
  return {
    selectionSet: `{ ${options.key} }`,
    fieldName: rootField.name,
    args: (entity: Record<string, unknown>) => ({ [keyArgument]: entity[options.key] }),
  };
}

/**
 * Type merging: each source's `merge` entries tell stitching how that source
 * fetches its part of a shared entity by key. A batch endpoint for the entity
 * is used when there is one (one call per request level), results matched by key.
 */
export function applyMergedTypes(sources: readonly MergeableSource[]): void {
  for (const source of sources) {
    const entries = Object.entries(source.merge ?? {});
    if (entries.length === 0) continue;
    source.subschema.merge = Object.fromEntries(
      entries.map(([typeName, options]) => [typeName, mergedTypeConfig(source, typeName, options)]),
    );
  }
}
