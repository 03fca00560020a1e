import {
  astFromValue,
  isInputObjectType,
  isObjectType,
  isInterfaceType,
  type GraphQLArgument,
  type GraphQLInputField,
  type GraphQLSchema,
} from 'graphql';

function isPrintable(input: GraphQLArgument | GraphQLInputField): boolean {
  try {
    return astFromValue(input.defaultValue, input.type) !== null || input.defaultValue === null;
  } catch {
    return false;
  }
}

/**
 * OAS 3.1 allows any JSON value as `default` (`default: {}` on a JSON-typed
 * property is common). graphql-js cannot print an object default of a custom
 * scalar, so printing the schema (stitching, snapshots, `loom check`,
 * introspection) would throw. The upstream applies its own defaults anyway:
 * drop the ones GraphQL cannot express, and say so once per coordinate.
 * Mutates in place: the schema carries Mesh's resolvers and directives, which a rebuild could lose.
 */
export function dropUnprintableDefaults(schema: GraphQLSchema): string[] {
  const warnings: string[] = [];
  const check = (coordinate: string, input: GraphQLArgument | GraphQLInputField) => {
    if (input.defaultValue === undefined || isPrintable(input)) return;
    warnings.push(
      `${coordinate}: default ${JSON.stringify(input.defaultValue)} cannot be expressed in GraphQL; dropped (the upstream applies its own default)`,
    );
    (input as { defaultValue: unknown }).defaultValue = undefined;
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isInputObjectType(type))
      for (const field of Object.values(type.getFields())) check(`${type.name}.${field.name}`, field);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields()))
        for (const arg of field.args) check(`${type.name}.${field.name}(${arg.name}:)`, arg);
    }
  }
  return warnings;
}
