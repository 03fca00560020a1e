import {
  GraphQLInterfaceType,
  GraphQLUnionType,
  defaultTypeResolver,
  isObjectType,
  type GraphQLSchema,
  type GraphQLTypeResolver,
} from 'graphql';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { forbidden } from '../../core/errors';

function guardResolver(
  resolveType: GraphQLTypeResolver<unknown, unknown>,
  visible: ReadonlySet<string>,
): GraphQLTypeResolver<unknown, unknown> {
  const check = (typeName: string | undefined, fieldName: string) => {
    if (typeName === undefined || visible.has(typeName)) return typeName;
    // graphql-js would name the hidden type in its error; this message does not.
    throw forbidden(`The value of "${fieldName}" is of a type this endpoint does not expose`);
  };
  return (value, context, info, abstractType) => {
    const resolved = resolveType(value, context, info, abstractType);
    const fieldName = `${info.parentType.name}.${info.fieldName}`;
    return resolved instanceof Promise ? resolved.then((name) => check(name, fieldName)) : check(resolved, fieldName);
  };
}

/**
 * Unions and interfaces of a view may lose members while the upstream still
 * returns them. Resolving such a value fails the field without naming the
 * hidden type (`__typename` cannot reveal it either).
 */
export function guardAbstractTypes(schema: GraphQLSchema): GraphQLSchema {
  const visible = new Set(
    Object.values(schema.getTypeMap())
      .filter(isObjectType)
      .map((type) => type.name),
  );
  return mapSchema(schema, {
    [MapperKind.UNION_TYPE]: (type) =>
      new GraphQLUnionType({
        ...type.toConfig(),
        resolveType: guardResolver(type.resolveType ?? defaultTypeResolver, visible),
      }),
    [MapperKind.INTERFACE_TYPE]: (type) =>
      new GraphQLInterfaceType({
        ...type.toConfig(),
        resolveType: guardResolver(type.resolveType ?? defaultTypeResolver, visible),
      }),
  });
}
