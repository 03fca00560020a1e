import {
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLInterfaceType,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLUnionType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  isUnionType,
  type GraphQLNamedType,
} from 'graphql';
import { MapperKind, mapSchema } from '@graphql-tools/utils';

/** Directives Omnigraph defines to drive its own resolvers (`@oneOf` stays: graphql-js knows it). */
const MESH_DIRECTIVES = new Set([
  'dictionary',
  'discriminator',
  'enum',
  'example',
  'flatten',
  'httpOperation',
  'length',
  'linkResolver',
  'pubsubOperation',
  'regexp',
  'resolveRoot',
  'resolveRootField',
  'responseMetadata',
  'statusCodeTypeName',
  'transport',
  'typescript',
]);

/** Types that exist only as arguments of those directives. */
const MESH_TYPES = new Set(['ObjMap', 'HTTPMethod']);

/** Type names any field or argument of a client-visible type refers to. */
function referencedTypeNames(schema: GraphQLSchema): Set<string> {
  const names = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        names.add(getNamedType(field.type).name);
        for (const arg of field.args) names.add(getNamedType(arg.type).name);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) names.add(getNamedType(field.type).name);
    }
  }
  return names;
}

const withoutApplied = <T extends { astNode?: unknown; extensions?: unknown }>(config: T): T => {
  const { directives: _directives, ...extensions } = (config.extensions ?? {}) as Record<string, unknown>;
  return { ...config, astNode: undefined, extensions };
};

/**
 * The schema clients see: Omnigraph's directives (definitions and uses) and
 * their scalars removed. The handler's executor keeps the original schema,
 * whose resolvers were built from those directives at load time, so
 * execution is unchanged; this copy is only what stitching, snapshots and
 * `loom check` print.
 */
export function withoutMeshInternals(schema: GraphQLSchema): GraphQLSchema {
  const used = referencedTypeNames(schema);
  const mapped = mapSchema(schema, {
    [MapperKind.DIRECTIVE]: (directive) => (MESH_DIRECTIVES.has(directive.name) ? null : directive),
    [MapperKind.TYPE]: (type: GraphQLNamedType) =>
      MESH_TYPES.has(type.name) && !used.has(type.name) ? null : withoutTypeDirectives(type),
    [MapperKind.COMPOSITE_FIELD]: (field) => withoutApplied(field),
    [MapperKind.INPUT_OBJECT_FIELD]: (field) => withoutApplied(field),
    [MapperKind.ENUM_VALUE]: (value) => withoutApplied(value),
    [MapperKind.ARGUMENT]: (argument) => withoutApplied(argument),
  });
  return new GraphQLSchema(withoutApplied(mapped.toConfig()));
}

/**
 * A fresh copy of the type without applied directives (`@discriminator` on a
 * union, `@example` on an object). Copied, not mutated: scalars such as JSON
 * are shared module-level instances. mapSchema rewires the references.
 */
function withoutTypeDirectives(type: GraphQLNamedType): GraphQLNamedType {
  if (isObjectType(type)) return new GraphQLObjectType(withoutApplied(type.toConfig()));
  if (isInterfaceType(type)) return new GraphQLInterfaceType(withoutApplied(type.toConfig()));
  if (isUnionType(type)) return new GraphQLUnionType(withoutApplied(type.toConfig()));
  if (isInputObjectType(type)) return new GraphQLInputObjectType(withoutApplied(type.toConfig()));
  if (isEnumType(type)) return new GraphQLEnumType(withoutApplied(type.toConfig()));
  if (isScalarType(type) && !isSpecifiedScalarType(type)) return new GraphQLScalarType(withoutApplied(type.toConfig()));
  return type;
}
