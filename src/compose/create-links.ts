import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  print,
  type FieldNode,
  type GraphQLField,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import DataLoader from 'dataloader';
import { batchDelegateToSchema } from '@graphql-tools/batch-delegate';
import { delegateToSchema, type SubschemaConfig } from '@graphql-tools/delegate';
import { pathToArray, relocatedError, type IResolvers } from '@graphql-tools/utils';
import { ConfigError } from '../core/errors';
import { findBatchEndpoints } from '../handlers/find-batch-endpoints';
import type { BatchEndpoint } from '../handlers/types';
import type { LinkConfig } from './link-config';
import { selectionWithKey, valuesByKey } from './match-by-key';

/** A source as composition sees it: its subschema config and its schema after renames. */
export interface LinkableSource {
  readonly name: string;
  readonly subschema: SubschemaConfig;
  readonly schema: GraphQLSchema;
  /** Batch endpoints the handler reported (names before renames). */
  readonly batchEndpoints: readonly BatchEndpoint[];
  readonly renamed: boolean;
}

export interface KeyArgument {
  argument: string;
  /** Field of the parent object, or undefined for a literal. */
  sourceField?: string;
  literal?: string;
}

/** A link as composition planned it: where it hangs, what resolves it, and its batch endpoint if any. */
export interface PlannedLink {
  readonly typeName: string;
  readonly fieldName: string;
  readonly target: LinkableSource;
  readonly rootField: GraphQLField<unknown, unknown>;
  readonly keyArguments: readonly KeyArgument[];
  readonly isList: boolean;
  readonly batch?: { field: string; keysArgument: string; keyField: string };
}

export interface LinkExtensions {
  typeDefs: string[];
  resolvers: IResolvers;
  /** Every link's plan, for the direct-source router (same-source links skip stitching). */
  plans: PlannedLink[];
}

const SOURCE_PREFIX = '$source.';

function parseKeyArguments(
  where: string,
  args: Record<string, string>,
  rootField: GraphQLField<unknown, unknown>,
): KeyArgument[] {
  return Object.entries(args).map(([argument, value]) => {
    if (!rootField.args.some((candidate) => candidate.name === argument)) {
      throw new ConfigError(`${where}: ${rootField.name} has no argument "${argument}"`);
    }
    return value.startsWith(SOURCE_PREFIX)
      ? { argument, sourceField: value.slice(SOURCE_PREFIX.length) }
      : { argument, literal: value };
  });
}

function findTarget(where: string, sources: readonly LinkableSource[], rootFieldName: string) {
  for (const source of sources) {
    const rootField = source.schema.getQueryType()?.getFields()[rootFieldName];
    if (rootField) return { target: source, rootField };
  }
  throw new ConfigError(`${where}: no source has a query field "${rootFieldName}"`);
}

function parentFieldType(where: string, sources: readonly LinkableSource[], typeName: string, sourceField: string) {
  for (const source of sources) {
    const type = source.schema.getType(typeName);
    if (!isObjectType(type)) continue;
    const field = type.getFields()[sourceField];
    if (!field) throw new ConfigError(`${where}: type ${typeName} has no field "${sourceField}"`);
    return field.type;
  }
  throw new ConfigError(`${where}: no source has a type ${typeName}`);
}

function chooseBatch(
  where: string,
  link: LinkConfig,
  target: LinkableSource,
  rootField: GraphQLField<unknown, unknown>,
  keyArguments: readonly KeyArgument[],
) {
  const mode = link.batch ?? 'auto';
  if (mode === 'off') return undefined;
  if (link.batchWith)
    return {
      field: link.batchWith.field,
      keysArgument: link.batchWith.keysArgument,
      keyField: link.batchWith.keyField ?? 'id',
    };
  const sourceKeys = keyArguments.filter((key) => key.sourceField);
  const entity = getNamedType(rootField.type).name;
  const candidates = [...findBatchEndpoints(target.schema), ...(target.renamed ? [] : target.batchEndpoints)];
  const found =
    sourceKeys.length === 1
      ? (candidates.find((endpoint) => endpoint.typeName === entity && endpoint.keyField === sourceKeys[0].argument) ??
        candidates.find((endpoint) => endpoint.typeName === entity))
      : undefined;
  if (!found && mode === 'force')
    throw new ConfigError(
      `${where}: batch is 'force' but source "${target.name}" has no batch endpoint for ${entity} (set batchWith)`,
    );
  return found && { field: found.batchField, keysArgument: found.keysArgument, keyField: found.keyField };
}

function planLink(link: LinkConfig, sources: readonly LinkableSource[]): PlannedLink {
  const where = `link ${link.field}`;
  const [typeName, fieldName, extra] = link.field.split('.');
  if (!typeName || !fieldName || extra !== undefined)
    throw new ConfigError(`${where}: field must be written Type.field`);
  const { target, rootField } = findTarget(where, sources, link.resolveWith);
  const keyArguments = parseKeyArguments(where, link.args, rootField);
  const sourceKeys = keyArguments.filter((key) => key.sourceField);
  if (sourceKeys.length === 0) throw new ConfigError(`${where}: args must read at least one $source.<field>`);
  const isList =
    sourceKeys.length === 1 &&
    isListType(getNullableType(parentFieldType(where, sources, typeName, sourceKeys[0].sourceField!)));
  for (const key of sourceKeys.slice(1)) parentFieldType(where, sources, typeName, key.sourceField!);
  const batch = chooseBatch(where, link, target, rootField, keyArguments);
  return { typeName, fieldName, target, rootField, keyArguments, isList, batch };
}

/**
 * The alias a key field is fetched under for a link: the client may alias
 * another field to the key's name (`userId: status`), which must not become
 * the key.
 */
const keyAlias = (sourceField: string) => `_loomLinkKey_${sourceField}`;

/** A key field of the parent: under its private alias, else (merged in by another road) under its name. */
function keyValue(parent: Record<string, unknown>, sourceField: string): unknown {
  const alias = keyAlias(sourceField);
  return alias in parent ? parent[alias] : parent[sourceField];
}

/** The key a parent object gives: a scalar (or a list, for list links) for one key, an object for composite keys. */
function readKey(parent: Record<string, unknown>, keyArguments: readonly KeyArgument[]): unknown {
  const sourceKeys = keyArguments.filter((key) => key.sourceField);
  if (sourceKeys.length === 1) return keyValue(parent, sourceKeys[0].sourceField!);
  const composite: Record<string, unknown> = {};
  for (const key of sourceKeys) {
    const value = keyValue(parent, key.sourceField!);
    if (value == null || value instanceof Error) return value ?? undefined;
    composite[key.argument] = value;
  }
  return composite;
}

function argsForKey(plan: PlannedLink, key: unknown): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const sourceKeys = plan.keyArguments.filter((entry) => entry.sourceField);
  for (const entry of plan.keyArguments) {
    if (entry.literal !== undefined) args[entry.argument] = entry.literal;
    else args[entry.argument] = sourceKeys.length === 1 ? key : (key as Record<string, unknown>)[entry.argument];
  }
  return args;
}

/**
 * The target as the stitched schema knows it (stitching keeps its own copy of
 * each subschema). Entities a link returns are tagged with the subschema they
 * came from, and stitching's merged types are keyed by its own copies: a
 * field resolved later on such an entity (a field of another source inside a
 * deferred fragment) is only fetched when the tag is stitching's copy.
 */
function stitchedTarget(plan: PlannedLink, info: GraphQLResolveInfo): SubschemaConfig {
  const stitchingInfo = info.schema.extensions?.stitchingInfo as
    { subschemaMap?: Map<unknown, SubschemaConfig> } | undefined;
  return stitchingInfo?.subschemaMap?.get(plan.target.subschema) ?? plan.target.subschema;
}

/** No key: null. A key field that failed: its error, reported at the link's path (not the private key alias). */
function keyFailure(key: Error | null | undefined, info: GraphQLResolveInfo): GraphQLError | null {
  if (!key) return null;
  const path = pathToArray(info.path);
  return key instanceof GraphQLError
    ? relocatedError(key, path)
    : new GraphQLError(key.message, { path, originalError: key });
}

/**
 * One selection for a link selected by several field nodes under one response
 * key (`user { id } ...F` with F selecting `user { name }`): GraphQL merges
 * them, and the batch call must ask for all. Memoized per first node, so
 * every parent of a list shares one selection (and one DataLoader).
 */
const mergedSelections = new WeakMap<FieldNode, { nodes: readonly FieldNode[]; merged: SelectionSetNode }>();

function mergedSelection(nodes: readonly FieldNode[]): SelectionSetNode | undefined {
  const [first] = nodes;
  if (nodes.length < 2) return first?.selectionSet;
  const known = mergedSelections.get(first);
  if (known?.nodes.length === nodes.length && known.nodes.every((node, index) => node === nodes[index]))
    return known.merged;
  const merged: SelectionSetNode = {
    kind: Kind.SELECTION_SET,
    selections: nodes.flatMap((node) => node.selectionSet?.selections ?? []),
  };
  mergedSelections.set(first, { nodes, merged });
  return merged;
}

function createBatchedResolver(plan: PlannedLink) {
  const batch = plan.batch!;
  const entity = getNamedType(plan.rootField.type).name;
  return (
    parent: Record<string, unknown>,
    _args: unknown,
    context: Record<string, unknown>,
    info: GraphQLResolveInfo,
  ) => {
    const key = readKey(parent, plan.keyArguments);
    // No key, no entity (DataLoader refuses a null key with a TypeError); a key the source failed
    // to give (delegation leaves its error in the key's place) fails this item only.
    if (key == null || key instanceof Error) return keyFailure(key, info);
    const selectionSet = mergedSelection(info.fieldNodes);
    return batchDelegateToSchema({
      schema: stitchedTarget(plan, info),
      operation: 'query' as never,
      fieldName: batch.field,
      key,
      argsFromKeys: (keys) => ({ [batch.keysArgument]: keys }),
      selectionSet: selectionSet && selectionWithKey(selectionSet, batch.keyField),
      valuesFromResults: valuesByKey(plan.target.name, entity, batch.keyField),
      context,
      info,
    });
  };
}

/** Per request, one loader per link and selection: distinct keys are fetched once, concurrently. */
const unbatchedLoaders = new WeakMap<object, Map<string, DataLoader<unknown, unknown, string>>>();
const printedSelections = new WeakMap<SelectionSetNode, string>();

function selectionCacheKey(info: GraphQLResolveInfo): string {
  const selectionSet = info.fieldNodes[0]?.selectionSet;
  if (!selectionSet) return '';
  let printed = printedSelections.get(selectionSet);
  if (printed === undefined) printedSelections.set(selectionSet, (printed = print(selectionSet)));
  return printed;
}

function createUnbatchedResolver(plan: PlannedLink) {
  const linkId = `${plan.typeName}.${plan.fieldName}`;
  return (
    parent: Record<string, unknown>,
    _args: unknown,
    context: Record<string, unknown>,
    info: GraphQLResolveInfo,
  ) => {
    const key = readKey(parent, plan.keyArguments);
    if (key == null || key instanceof Error) return keyFailure(key, info);
    let loaders = unbatchedLoaders.get(context);
    if (!loaders) unbatchedLoaders.set(context, (loaders = new Map()));
    const loaderKey = `${linkId}|${info.path.typename}|${selectionCacheKey(info)}`;
    let loader = loaders.get(loaderKey);
    if (!loader) {
      loader = new DataLoader<unknown, unknown, string>(
        (keys) =>
          Promise.all(
            keys.map((oneKey) =>
              delegateToSchema({
                schema: stitchedTarget(plan, info),
                operation: 'query' as never,
                fieldName: plan.rootField.name,
                args: argsForKey(plan, oneKey),
                context,
                info,
              }),
            ),
          ),
        { cacheKeyFn: (oneKey) => JSON.stringify(oneKey) },
      );
      loaders.set(loaderKey, loader);
    }
    const path = pathToArray(info.path);
    return Array.isArray(key)
      ? loader.loadMany(key).then((values) => values.map((value, index) => atOwnPath(value, [...path, index])))
      : loader.load(key).then(
          (value) => atOwnPath(value, path),
          (error: unknown) => Promise.reject(atOwnPath(error, path)),
        );
  };
}

/**
 * The loader delegates once per distinct key with the `info` of the first
 * caller, so an error it returns is located at that caller's path. Every
 * caller reports it at its own path instead (graphql-js keeps a path that is
 * already set, so it must be replaced here, not left to the executor).
 */
function atOwnPath(value: unknown, path: ReadonlyArray<string | number>): unknown {
  return value instanceof GraphQLError ? relocatedError(value, path) : value;
}

/**
 * Turns the config's `links` into stitching type extensions and resolvers.
 * A link resolves through a per-request DataLoader: with a batch endpoint
 * (detected, or named in `batchWith`) N parents cost one upstream call;
 * without one, N distinct keys cost N concurrent calls, duplicates once.
 */
export function createLinks(links: readonly LinkConfig[], sources: readonly LinkableSource[]): LinkExtensions {
  const typeDefs: string[] = [];
  const resolvers: Record<string, Record<string, unknown>> = {};
  const plans: PlannedLink[] = [];
  for (const link of links) {
    const plan = planLink(link, sources);
    plans.push(plan);
    const entity = getNamedType(plan.rootField.type).name;
    typeDefs.push(`extend type ${plan.typeName} { ${plan.fieldName}: ${plan.isList ? `[${entity}]` : entity} }`);
    const sourceFields = plan.keyArguments.flatMap((key) => (key.sourceField ? [key.sourceField] : []));
    resolvers[plan.typeName] ??= {};
    resolvers[plan.typeName][plan.fieldName] = {
      selectionSet: `{ ${sourceFields.map((field) => `${keyAlias(field)}: ${field}`).join(' ')} }`,
      resolve: plan.batch ? createBatchedResolver(plan) : createUnbatchedResolver(plan),
    };
  }
  return { typeDefs, resolvers: resolvers as IResolvers, plans };
}
