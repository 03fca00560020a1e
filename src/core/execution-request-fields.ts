import { getOperationAST, GraphQLError, Kind, OperationTypeNode, type DocumentNode, type FieldNode } from 'graphql';
import type { ExecutionRequest, ExecutionResult } from '@graphql-tools/utils';

export interface RootField {
  /** Alias or name: the key in `data`. */
  responseKey: string;
  /** Field name in the source's schema. */
  fieldName: string;
  node: FieldNode;
}

/** The operation type of a delegated request (stitching sets it; the document is the fallback). */
export function operationTypeOf(request: ExecutionRequest): OperationTypeNode {
  return (
    request.operationType ??
    getOperationAST(request.document, request.operationName)?.operation ??
    OperationTypeNode.QUERY
  );
}

/** Root fields by document and operation name: documents are immutable, and Yoga's caches hand out the same one per repeated query. */
const rootFieldsByDocument = new WeakMap<DocumentNode, Map<string | undefined, readonly RootField[]>>();

/**
 * The root fields a delegated request selects (`__typename` excepted).
 * Several executor layers ask for every call (deadline, fallbacks, metrics,
 * retry safety); the answer is computed once per document and operation.
 */
export function rootFieldsOfRequest(request: ExecutionRequest): readonly RootField[] {
  let byOperation = rootFieldsByDocument.get(request.document);
  if (!byOperation) rootFieldsByDocument.set(request.document, (byOperation = new Map()));
  let fields = byOperation.get(request.operationName);
  if (!fields) byOperation.set(request.operationName, (fields = Object.freeze(computeRootFields(request))));
  return fields;
}

function computeRootFields(request: ExecutionRequest): RootField[] {
  const operation = getOperationAST(request.document, request.operationName);
  return (operation?.selectionSet.selections ?? []).flatMap((selection) =>
    selection.kind === Kind.FIELD && selection.name.value !== '__typename'
      ? [
          {
            responseKey: selection.alias?.value ?? selection.name.value,
            fieldName: selection.name.value,
            node: selection,
          },
        ]
      : [],
  );
}

/** `Query.getCustomer`: how fallbacks and logs name a root field. */
export const coordinateOf = (request: ExecutionRequest, field: RootField) =>
  `${operationTypeOf(request) === OperationTypeNode.MUTATION ? 'Mutation' : 'Query'}.${field.fieldName}`;

/** A result where every root field failed with `error` (partial data stays possible in the stitched response). */
export function failedResult(request: ExecutionRequest, error: GraphQLError): ExecutionResult {
  const fields = rootFieldsOfRequest(request);
  if (fields.length === 0) return { errors: [error] };
  return {
    data: Object.fromEntries(fields.map((field) => [field.responseKey, null])),
    errors: fields.map(
      (field) => new GraphQLError(error.message, { path: [field.responseKey], extensions: error.extensions }),
    ),
  };
}

/** Error codes found in a result (empty for a stream). */
export function errorCodesOf(result: unknown): string[] {
  const errors = (result as ExecutionResult | undefined)?.errors ?? [];
  return errors.map((error) => String(error.extensions?.code ?? ''));
}
