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
import { createCoordinateMatcher, type CoordinateMatcher } from './coordinate-matcher';
import type { BffViewOptions } from '../define-bff';

export type FilterOptions = Pick<BffViewOptions, 'include' | 'exclude' | 'listBoundArguments' | 'allowList'>;

const coordinateOf = (typeName: string, fieldName: string) => `${typeName}.${fieldName}`;

function returnsList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/** Types a view may hide: never root types, built-in scalars or introspection types. */
function isFilterableType(type: GraphQLNamedType, rootTypeNames: ReadonlySet<string>): boolean {
  return !rootTypeNames.has(type.name) && !isSpecifiedScalarType(type) && !isIntrospectionType(type);
}

type CompositeType = {
  name: string;
  getFields(): GraphQLFieldMap<unknown, unknown>;
  getInterfaces(): readonly { name: string }[];
};

interface HiddenFieldRules {
  matcher: CoordinateMatcher;
  keepsType: (typeName: string) => boolean;
  boundArguments?: ReadonlySet<string>;
}

/** The fields the rules hide, before interfaces are taken into account. */
function collectHiddenFields(
  schema: GraphQLSchema,
  composite: readonly CompositeType[],
  { matcher, keepsType, boundArguments }: HiddenFieldRules,
): Set<string> {
  const rootTypeNames = getRootTypeNames(schema);
  const hidden = new Set<string>();
  for (const type of composite) {
    const isRoot = rootTypeNames.has(type.name);
    for (const field of Object.values(type.getFields())) {
      const unbounded =
        isRoot && boundArguments && returnsList(field.type) && !field.args.some((arg) => boundArguments.has(arg.name));
      // A required argument whose type is hidden would make the field impossible to call upstream.
      const lostArgument = field.args.some((arg) => isNonNullType(arg.type) && !keepsType(getNamedType(arg.type).name));
      if (
        !matcher.keepsField(type.name, field.name) ||
        unbounded ||
        lostArgument ||
        !keepsType(getNamedType(field.type).name)
      ) {
        hidden.add(coordinateOf(type.name, field.name));
      }
    }
  }
  return hidden;
}

/**
 * Closes the hidden set over interfaces: a field hidden on an implementation
 * is hidden on its interfaces (or the schema would be invalid), and a field
 * hidden on an interface is hidden on every implementation (or
 * `... on Impl { field }` would reach it).
 */
function closeOverInterfaces(schema: GraphQLSchema, composite: readonly CompositeType[], hidden: Set<string>): void {
  for (let changed = true; changed;) {
    changed = false;
    for (const type of composite) {
      for (const iface of type.getInterfaces()) {
        const interfaceFields = (schema.getType(iface.name) as CompositeType).getFields();
        for (const fieldName of Object.keys(type.getFields())) {
          if (!(fieldName in interfaceFields)) continue;
          const own = coordinateOf(type.name, fieldName);
          const inherited = coordinateOf(iface.name, fieldName);
          if (hidden.has(own) !== hidden.has(inherited)) {
            hidden.add(own).add(inherited);
            changed = true;
          }
        }
      }
    }
  }
}

function rootTypeName(schema: GraphQLSchema, operation: 'Query' | 'Mutation' | 'Subscription'): string {
  const type =
    operation === 'Query'
      ? schema.getQueryType()
      : operation === 'Mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  return type?.name ?? operation;
}

/**
 * Filters the gateway schema in place of a wrapping layer: the kept fields keep
 * their resolvers (stitching's proxying resolvers and merged-type resolvers),
 * so a request against the view costs what it costs against the gateway.
 */
export function filterView(schema: GraphQLSchema, options: FilterOptions): GraphQLSchema {
  const rootTypeNames = getRootTypeNames(schema);
  const matcher = createCoordinateMatcher({
    include: options.include,
    exclude: options.exclude,
    rootTypeNames: [...rootTypeNames],
    allowList: options.allowList,
  });
  const keepsType = (typeName: string) => {
    const type = schema.getType(typeName);
    return (
      !type ||
      !isFilterableType(type, rootTypeNames) ||
      matcher.keepsType(typeName, isObjectType(type) || isInterfaceType(type))
    );
  };
  const composite = Object.values(schema.getTypeMap()).filter(
    (type) => (isObjectType(type) || isInterfaceType(type)) && !isIntrospectionType(type),
  ) as CompositeType[];
  const boundArguments = options.listBoundArguments && new Set(options.listBoundArguments);
  const hidden = collectHiddenFields(schema, composite, { matcher, keepsType, boundArguments });
  closeOverInterfaces(schema, composite, hidden);
  const keepsField = (typeName: string, fieldName: string) => !hidden.has(coordinateOf(typeName, fieldName));
  return filterSchema({
    schema,
    typeFilter: keepsType,
    rootFieldFilter: (operation, fieldName) => keepsField(rootTypeName(schema, operation), fieldName),
    objectFieldFilter: keepsField,
    interfaceFieldFilter: keepsField,
  });
}
