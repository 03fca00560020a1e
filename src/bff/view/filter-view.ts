import {
  getNamedType,
  isInterfaceType,
  isIntrospectionType,
  isListType,
  isNonNullType,
  isObjectType,
  isSpecifiedScalarType,
  type GraphQLFieldMap,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { filterSchema, getRootTypeNames } from '@graphql-tools/utils';
import { createCoordinateMatcher } from './coordinate-matcher';
import type { BffViewOptions } from '../define-bff';

export type FilterOptions = Pick<BffViewOptions, 'include' | 'exclude' | 'listBoundArguments'>;

const coordinateOf = (typeName: string, fieldName: string) => `${typeName}.${fieldName}`;

function returnsList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/** Types a view may hide: never root types, built-in scalars or introspection types. */
function isFilterableType(type: GraphQLNamedType, rootTypeNames: ReadonlySet<string>): boolean {
  return !rootTypeNames.has(type.name) && !isSpecifiedScalarType(type) && !isIntrospectionType(type);
}

/**
 * Every `Type.field` the view hides, closed over interfaces: a field hidden on
 * an implementation is hidden on its interfaces (or the schema would be
 * invalid), and a field hidden on an interface is hidden on every
 * implementation (or `... on Impl { field }` would reach it).
 */
function collectHiddenFields(schema: GraphQLSchema, options: FilterOptions, keepsType: (name: string) => boolean): Set<string> {
  const rootTypeNames = getRootTypeNames(schema);
  const matcher = createCoordinateMatcher({ include: options.include, exclude: options.exclude, rootTypeNames: [...rootTypeNames] });
  const boundArguments = options.listBoundArguments && new Set(options.listBoundArguments);
  const hidden = new Set<string>();
  const composite = Object.values(schema.getTypeMap()).filter(
    (type) => (isObjectType(type) || isInterfaceType(type)) && !isIntrospectionType(type),
  ) as Array<{ name: string; getFields(): GraphQLFieldMap<unknown, unknown>; getInterfaces(): readonly { name: string }[] }>;
  for (const type of composite) {
    const isRoot = rootTypeNames.has(type.name);
    for (const field of Object.values(type.getFields())) {
      const unbounded = isRoot && boundArguments && returnsList(field.type) && !field.args.some((arg) => boundArguments.has(arg.name));
      // A required argument whose type is hidden would make the field impossible to call upstream.
      const lostArgument = field.args.some((arg) => isNonNullType(arg.type) && !keepsType(getNamedType(arg.type).name));
      if (!matcher.keepsField(type.name, field.name) || unbounded || lostArgument || !keepsType(getNamedType(field.type).name)) {
        hidden.add(coordinateOf(type.name, field.name));
      }
    }
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const type of composite) {
      for (const iface of type.getInterfaces()) {
        for (const fieldName of Object.keys(type.getFields())) {
          const own = coordinateOf(type.name, fieldName);
          const inherited = coordinateOf(iface.name, fieldName);
          if (!(fieldName in (schema.getType(iface.name) as { getFields(): object }).getFields())) continue;
          if (hidden.has(own) !== hidden.has(inherited)) {
            hidden.add(own).add(inherited);
            changed = true;
          }
        }
      }
    }
  }
  return hidden;
}

function rootTypeName(schema: GraphQLSchema, operation: 'Query' | 'Mutation' | 'Subscription'): string {
  const type = operation === 'Query' ? schema.getQueryType() : operation === 'Mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  return type?.name ?? operation;
}

/**
 * Filters the gateway schema in place of a wrapping layer: the kept fields keep
 * their resolvers (stitching's proxying resolvers and merged-type resolvers),
 * so a request against the view costs what it costs against the gateway.
 */
export function filterView(schema: GraphQLSchema, options: FilterOptions): GraphQLSchema {
  const rootTypeNames = getRootTypeNames(schema);
  const matcher = createCoordinateMatcher({ include: options.include, exclude: options.exclude, rootTypeNames: [...rootTypeNames] });
  const keepsType = (typeName: string) => {
    const type = schema.getType(typeName);
    return !type || !isFilterableType(type, rootTypeNames) || matcher.keepsType(typeName);
  };
  const hidden = collectHiddenFields(schema, options, keepsType);
  const keepsField = (typeName: string, fieldName: string) => !hidden.has(coordinateOf(typeName, fieldName));
  return filterSchema({
    schema,
    typeFilter: keepsType,
    rootFieldFilter: (operation, fieldName) => keepsField(rootTypeName(schema, operation), fieldName),
    objectFieldFilter: keepsField,
    interfaceFieldFilter: keepsField,
  });
}
