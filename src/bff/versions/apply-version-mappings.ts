import { isObjectType, type GraphQLSchema } from 'graphql';
import { RenameObjectFields, RenameTypes, wrapSchema } from '@graphql-tools/wrap';
import { createDefaultExecutor, type Transform } from '@graphql-tools/delegate';
import { withEagerIncrementalDelivery } from '../../compose/eager-incremental-executor';
import { ConfigError } from '../../core/errors';
import { parseArgumentSettings } from '../view/argument-settings';
import { createNestedArgumentsTransform } from '../view/nested-arguments';
import { AddComputedFields } from './computed-fields-transform';
import type { VersionMappings } from './version-options';

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

interface ParsedRenames {
  /** Current type name -> the version's. */
  readonly types: Map<string, string>;
  /** `CurrentType.currentField` -> the version's field name. */
  readonly fields: Map<string, string>;
}

function parseRenames(where: string, schema: GraphQLSchema, renames: Record<string, string>): ParsedRenames {
  const types = new Map<string, string>();
  const fields = new Map<string, string>();
  for (const [oldCoordinate, currentCoordinate] of Object.entries(renames)) {
    const at = `${where}.renames "${oldCoordinate}"`;
    const [oldType, oldField, ...oldRest] = oldCoordinate.split('.');
    const [currentType, currentField, ...currentRest] = currentCoordinate.split('.');
    if (oldRest.length || currentRest.length || (oldField === undefined) !== (currentField === undefined))
      throw new ConfigError(`${at}: map a type to a type or Type.field to Type.field, got "${currentCoordinate}"`);
    const type = schema.getType(currentType);
    if (!type) throw new ConfigError(`${at}: the current graph has no type "${currentType}"`);
    if (oldField === undefined) {
      if (!GRAPHQL_NAME.test(oldType)) throw new ConfigError(`${at}: "${oldType}" is not a GraphQL name`);
      types.set(currentType, oldType);
      continue;
    }
    if (oldType !== currentType)
      throw new ConfigError(
        `${at}: a field rename stays within its type; name the type by its current name on both sides`,
      );
    if (!isObjectType(type) || !type.getFields()[currentField])
      throw new ConfigError(`${at}: the current graph has no field "${currentCoordinate}"`);
    if (!GRAPHQL_NAME.test(oldField)) throw new ConfigError(`${at}: "${oldField}" is not a GraphQL name`);
    fields.set(currentCoordinate, oldField);
  }
  for (const [coordinate, oldField] of fields) {
    const [typeName] = coordinate.split('.');
    const type = schema.getType(typeName);
    const clash = isObjectType(type) && type.getFields()[oldField] && !fields.has(`${typeName}.${oldField}`);
    if (clash)
      throw new ConfigError(`${where}.renames "${typeName}.${oldField}": the current graph has that field already`);
  }
  return { types, fields };
}

/**
 * An old version's schema, served from the current graph: the version's view
 * (built as for any BFF) wrapped with graphql-tools transforms, innermost
 * first: computed fields (current names), field renames, type renames, then
 * argument defaults (the version's names). Requests are translated back
 * through them in reverse, results forward, by @graphql-tools/wrap. A version
 * without mappings gets the view as it is, with no extra layer.
 */
export function applyVersionMappings(
  bffName: string,
  version: string,
  view: GraphQLSchema,
  mappings: VersionMappings,
): GraphQLSchema {
  const where = `bff "${bffName}": versions.${version}.mappings`;
  const transforms: Transform[] = [];
  if (mappings.computed && Object.keys(mappings.computed).length)
    transforms.push(new AddComputedFields(`${where}.computed`, view, mappings.computed));
  const renames = parseRenames(where, view, mappings.renames ?? {});
  if (renames.fields.size)
    transforms.push(
      new RenameObjectFields((typeName, fieldName) => renames.fields.get(`${typeName}.${fieldName}`) ?? fieldName),
    );
  if (renames.types.size) transforms.push(new RenameTypes((typeName) => renames.types.get(typeName) ?? typeName));
  const defaults = mappings.argumentDefaults ?? {};
  if (Object.keys(defaults).length) {
    // Coordinates are the version's names: read them against the schema the transforms so far produce.
    const renamed = transforms.length ? wrapSchema({ schema: view, batch: false, transforms }) : view;
    const { root, nested } = parseArgumentSettings(`${bffName}@${version}`, { argumentDefaults: defaults }, renamed);
    transforms.push(createNestedArgumentsTransform({ hidden: [], defaults: [...root.defaults, ...nested.defaults] }));
  }
  if (!transforms.length) return view;
  // defer: true keeps deferred fields in the inner request (as in wrapView),
  // but the view answers them eagerly: a computed field reads the fields it
  // needs from its parent at once, so they must not arrive in a later part of
  // the inner answer. The version's own execution still sends the parts.
  return wrapSchema({
    schema: view,
    batch: false,
    defer: true,
    executor: withEagerIncrementalDelivery(createDefaultExecutor(view)),
    transforms,
  });
}
