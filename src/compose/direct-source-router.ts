import {
  isObjectType,
  isInterfaceType,
  Kind,
  OperationTypeNode,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  getOperationAST,
  BREAK,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { LoadedSource } from '../handlers/types';
import type { PlannedLink } from './create-links';
import { planSameSourceLinks, type DirectLink, type SameSourceLinkPlanner } from './same-source-links';

/**
 * Finds operations that one source can answer alone, so they skip stitching's
 * delegation (a second planning and execution pass per request). An operation
 * qualifies when it has one root field, that field's source has no rename
 * transforms, and every selected field and fragment type exists in that
 * source's own schema (no fields merged in from elsewhere) or is a link the
 * same source answers through a batch endpoint (same-source-links.ts), and
 * it uses no `@defer` or `@stream` (the gateway delivers those in parts).
 * The answer is cached per parsed document (yoga reuses parsed documents).
 */
export interface DirectRoute {
  readonly source: LoadedSource;
  /** What the source runs: the client's document, or with its link fields replaced by their keys. */
  readonly document: DocumentNode;
  /** Link fields answered by one batch call each after the source's answer; empty for most documents. */
  readonly links: readonly DirectLink[];
}

export interface DirectSourceRouter {
  route(document: DocumentNode, operationName?: string | null): DirectRoute | undefined;
}

export interface DirectSourceRouterOptions {
  schema: GraphQLSchema;
  /** Sources whose schema the gateway exposes unchanged (no renames). */
  untransformed: readonly LoadedSource[];
  /** The gateway's links: those within one source can be answered on the direct road. */
  links?: readonly PlannedLink[];
}

function ownerOfRootField(
  sources: readonly LoadedSource[],
  operation: OperationTypeNode,
  field: string,
): LoadedSource | undefined {
  const owners = sources.filter((source) => {
    const root =
      operation === OperationTypeNode.QUERY
        ? source.schema.getQueryType()
        : operation === OperationTypeNode.MUTATION
          ? source.schema.getMutationType()
          : undefined;
    return root?.getFields()[field] !== undefined;
  });
  return owners.length === 1 ? owners[0] : undefined;
}

/** Whether every field and type condition the document selects exists in `owner`'s schema. */
function selectsOnlyFrom(
  operation: OperationDefinitionNode,
  fragments: readonly FragmentDefinitionNode[],
  gateway: GraphQLSchema,
  owner: GraphQLSchema,
  links: SameSourceLinkPlanner,
): boolean {
  let local = true;
  const typeInfo = new TypeInfo(gateway);
  // The routed operation and the fragments (another operation of the document is not this request's).
  visit(
    { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] },
    visitWithTypeInfo(typeInfo, {
      Directive(node) {
        // Incremental delivery is the gateway executor's job: the source would
        // answer the operation on its own road (README "@defer and @stream").
        if (node.name.value === 'defer' || node.name.value === 'stream') {
          local = false;
          return BREAK;
        }
        return undefined;
      },
      Field(node) {
        if (node.name.value.startsWith('__')) return undefined;
        const parent = typeInfo.getParentType();
        const own = parent && owner.getType(parent.name);
        if (!own || !(isObjectType(own) || isInterfaceType(own)) || !own.getFields()[node.name.value]) {
          // A link the owner answers itself: its selection was checked against the owner's schema.
          if (own && links.accept(own.name, node)) return false;
          local = false;
          return BREAK;
        }
        return undefined;
      },
      NamedType(node) {
        if (!gateway.getType(node.name.value) || !owner.getType(node.name.value)) {
          local = false;
          return BREAK;
        }
        return undefined;
      },
    }),
  );
  return local;
}

export function createDirectSourceRouter({
  schema,
  untransformed,
  links = [],
}: DirectSourceRouterOptions): DirectSourceRouter {
  const cache = new WeakMap<DocumentNode, Map<string, DirectRoute | null>>();
  const plan = (document: DocumentNode, operationName?: string | null): DirectRoute | undefined => {
    const operation = getOperationAST(document, operationName);
    if (
      !operation ||
      (operation.operation !== OperationTypeNode.QUERY && operation.operation !== OperationTypeNode.MUTATION)
    )
      return undefined;
    const rootFields = operation.selectionSet.selections;
    if (rootFields.some((selection) => selection.kind !== Kind.FIELD)) return undefined;
    // One root field only: delegation makes one upstream call per root field,
    // and spans, metrics, retries and breakers count calls that way.
    if (
      rootFields.filter((selection) => selection.kind === Kind.FIELD && selection.name.value !== '__typename')
        .length !== 1
    )
      return undefined;
    let owner: LoadedSource | undefined;
    for (const selection of rootFields) {
      if (selection.kind !== Kind.FIELD || selection.name.value === '__typename') continue;
      const candidate = ownerOfRootField(untransformed, operation.operation, selection.name.value);
      if (!candidate || (owner && owner !== candidate)) return undefined;
      owner = candidate;
    }
    if (!owner) return undefined;
    const linkPlanner = planSameSourceLinks({ owner, plans: links });
    const fragments = document.definitions.filter(
      (definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION,
    );
    if (!selectsOnlyFrom(operation, fragments, schema, owner.schema, linkPlanner)) return undefined;
    const planned = linkPlanner.finish(document, operation);
    return planned && { source: owner, ...planned };
  };
  return {
    route(document, operationName) {
      let byOperation = cache.get(document);
      if (!byOperation) cache.set(document, (byOperation = new Map()));
      const key = operationName ?? '';
      let routed = byOperation.get(key);
      if (routed === undefined) byOperation.set(key, (routed = plan(document, operationName) ?? null));
      return routed ?? undefined;
    },
  };
}
