import { isObjectType, type GraphQLSchema } from 'graphql';
import { wrapSchema, RenameObjectFields, RenameTypes } from '@graphql-tools/wrap';
import { ConfigError } from '../../errors';

/**
 * Renames types, root fields and object fields through graphql-tools'
 * transforms: requests are translated back and `__typename` forward, which a
 * bare schema rewrite cannot do. Only views with renames pay for the layer.
 */
export function renameView(bffName: string, schema: GraphQLSchema, renames: Record<string, string>): GraphQLSchema {
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
      if (!isObjectType(type) || !type.getFields()[fieldName]) throw new ConfigError(`${where}: the view has no such field`);
      fieldRenames.set(from, to);
    }
  }
  if (!typeRenames.size && !fieldRenames.size) return schema;
  return wrapSchema({
    schema,
    batch: false,
    // Field renames see the view's own type names, so they run before type renames.
    transforms: [
      new RenameObjectFields((typeName, fieldName) => fieldRenames.get(`${typeName}.${fieldName}`) ?? fieldName),
      new RenameTypes((typeName) => typeRenames.get(typeName) ?? typeName),
    ],
  });
}
