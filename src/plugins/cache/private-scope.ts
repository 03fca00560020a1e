import {
  getNamedType,
  isAbstractType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  BREAK,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';

/**
 * Whether a document touches anything scoped PRIVATE: a `Type.field`
 * coordinate, or a type a selected field returns (any possible type of an
 * interface or union). Decided from the document, before execution, so the
 * cache key carries the caller's identity before anything is read.
 */
export function touchesPrivateScope(
  schema: GraphQLSchema,
  document: DocumentNode,
  privateScope: ReadonlySet<string>,
): boolean {
  if (privateScope.size === 0) return false;
  const typeInfo = new TypeInfo(schema);
  let found = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        const fieldType = typeInfo.getType();
        const coordinate = parent ? `${parent.name}.${node.name.value}` : undefined;
        const named = fieldType ? getNamedType(fieldType) : undefined;
        const possible = named && isAbstractType(named) ? schema.getPossibleTypes(named).map((type) => type.name) : [];
        if (
          (coordinate !== undefined && privateScope.has(coordinate)) ||
          (parent != null && privateScope.has(parent.name)) ||
          (named !== undefined && privateScope.has(named.name)) ||
          possible.some((name) => privateScope.has(name))
        ) {
          found = true;
          return BREAK;
        }
        return undefined;
      },
    }),
  );
  return found;
}
