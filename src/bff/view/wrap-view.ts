import { isObjectType, type GraphQLSchema } from 'graphql';
import { wrapSchema, RenameObjectFields, RenameTypes } from '@graphql-tools/wrap';
import type { Transform } from '@graphql-tools/delegate';
import { ConfigError } from '../../core/errors';
import { createNestedArgumentsTransform } from './nested-arguments';
import type { ArgumentSettings } from './argument-settings';

export interface WrapViewOptions {
  /** `Type`, `Type.field` (root fields included) -> new name; names are the view's before renaming. */
  renames: Record<string, string>;
  /** Hidden arguments and defaults on non-root fields. */
  nestedArguments: ArgumentSettings;
}

function parseRenames(bffName: string, schema: GraphQLSchema, renames: Record<string, string>) {
  const typeRenames = new Map<string, string>();
  const fieldRenames = new Map<string, string>();
  for (const [from, to] of Object.entries(renames)) {
    const where = `bff "${bffName}": view.renames "${from}"`;
    if (!/^[_A-Za-z][_0-9A-Za-z]*$/.test(to)) throw new ConfigError(`${where}: "${to}" is not a GraphQL name`);
    const [typeName, fieldName, ...rest] = from.split('.');
    const type = schema.getType(typeName);
    if (rest.length || !type) throw new ConfigError(`${where}: the view has no such type or field`);
    if (fieldName === undefined) {
      typeRenames.set(typeName, to);
    } else {
      if (!isObjectType(type) || !type.getFields()[fieldName])
        throw new ConfigError(`${where}: the view has no such field`);
      fieldRenames.set(from, to);
    }
  }
  return { typeRenames, fieldRenames };
}

/**
 * What a bare schema rewrite cannot do, through graphql-tools' transforms:
 * renames (requests translated back, `__typename` forward) and arguments
 * below the root (literals added to the delegated selection). Only views
 * that use them pay for the extra execution layer.
 */
export function wrapView(
  bffName: string,
  schema: GraphQLSchema,
  { renames, nestedArguments }: WrapViewOptions,
): GraphQLSchema {
  const { typeRenames, fieldRenames } = parseRenames(bffName, schema, renames);
  const transforms: Transform[] = [];
  // Each transform sees the names the previous one produced: arguments and
  // field renames use the view's own type names, so type renames come last.
  if (nestedArguments.hidden.length || nestedArguments.defaults.length)
    transforms.push(createNestedArgumentsTransform(nestedArguments));
  if (fieldRenames.size)
    transforms.push(
      new RenameObjectFields((typeName, fieldName) => fieldRenames.get(`${typeName}.${fieldName}`) ?? fieldName),
    );
  if (typeRenames.size) transforms.push(new RenameTypes((typeName) => typeRenames.get(typeName) ?? typeName));
  if (!transforms.length) return schema;
  // defer: true forwards @defer/@stream to the gateway schema, whose executor
  // delivers them in parts; without it, delegate leaves deferred fields out of
  // the inner request and they come back null (README "@defer and @stream").
  return wrapSchema({ schema, batch: false, defer: true, transforms });
}
