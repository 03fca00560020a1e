import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { getRequestRecord, startRequestRecord, type RequestRecord } from './request-record';

/** extensions.code of an error without one (third-party and masked errors). */
export const UNKNOWN_ERROR_CODE = 'UNKNOWN';

function isDocument(value: unknown): value is DocumentNode {
  return typeof value === 'object' && value !== null && (value as DocumentNode).kind === 'Document';
}

function noteOperation(
  record: RequestRecord | undefined,
  document: DocumentNode,
  operationName: string | null | undefined,
) {
  if (!record || record.operationName !== undefined) return;
  const operation = getOperationAST(document, operationName);
  // Names come from the parsed document, so they are valid GraphQL names; the
  // raw `operationName` a client sends is never used as is.
  record.operationName = operation?.name?.value ?? (operation ? 'anonymous' : 'unknown');
  record.operationType = operation?.operation;
}

function noteErrors(record: RequestRecord, results: readonly ExecutionResult[]) {
  for (const result of results) {
    for (const error of result.errors ?? []) {
      const code = error.extensions?.code;
      record.errorCodes.push(typeof code === 'string' && code ? code : UNKNOWN_ERROR_CODE);
    }
  }
}

/**
 * Fills the per-request record the other observability plugins read: request
 * id, operation name and type, error codes, HTTP status and duration. Must
 * come before them (it sets the status in onResponse before they read it).
 */
export function useRequestRecord(): Plugin {
  return {
    onRequest({ request }) {
      startRequestRecord(request);
    },
    onParse({ context }) {
      return ({ result }) => {
        if (isDocument(result)) noteOperation(getRequestRecord(context.request), result, context.params?.operationName);
      };
    },
    onExecute({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      noteOperation(getRequestRecord(request), args.document, args.operationName);
    },
    onResultProcess({ request, result }) {
      const record = getRequestRecord(request);
      if (!record) return;
      record.graphql = true;
      if (Array.isArray(result)) noteErrors(record, result);
      else if (!(Symbol.asyncIterator in result)) noteErrors(record, [result as ExecutionResult]);
    },
    onResponse({ request, response }) {
      const record = getRequestRecord(request);
      if (!record) return;
      // Rejections answered with a ready Response (endResponse) never reach
      // onResultProcess but are still GraphQL requests; GraphiQL pages and
      // CORS preflights are not.
      if (!record.graphql)
        record.graphql = request.method !== 'OPTIONS' && !response.headers.get('content-type')?.includes('text/html');
      record.status = response.status;
      record.durationMs = performance.now() - record.startedAt;
      try {
        response.headers.set('x-request-id', record.requestId);
      } catch {
        // A Response passed through from fetch() has immutable headers; the id is still logged.
      }
    },
  };
}
