import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { badRequest, methodNotAllowed } from '../../core/errors';
import type { GatewayContext } from '../../core/context';

/** The query-string parameters Yoga and the persisted-operation policies read. */
const GRAPHQL_PARAMS = ['query', 'variables', 'operationName', 'extensions', 'documentId'];
const JSON_PARAMS = ['variables', 'extensions'];

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * GET is for reads: a GET carrying a mutation is refused with 405
 * METHOD_NOT_ALLOWED and `Allow: POST`, whether the document came in the
 * `query` parameter or from a persisted id. Yoga refuses it too, with a plain
 * BAD_REQUEST; this runs first so the refusal carries Loom's code.
 * Subscriptions over GET (SSE) are left alone.
 *
 * A GraphQL parameter named twice in a GET's query string is refused (400
 * BAD_REQUEST) rather than one copy picked: a CDN, WAF or log that reads the
 * other copy would then disagree with what ran.
 */
export function useGetMethodPolicy(): Plugin {
  return {
    onRequestParse({ request, url }) {
      if (request.method !== 'GET') return;
      for (const name of GRAPHQL_PARAMS) {
        if (url.searchParams.getAll(name).length > 1)
          throw badRequest(`The GET parameter "${name}" appears more than once; send it once`);
      }
      // Yoga would JSON.parse these unguarded and answer 500 on garbage.
      for (const name of JSON_PARAMS) {
        const text = url.searchParams.get(name);
        if (text && !isJsonObject(text)) throw badRequest(`The GET parameter "${name}" must be a JSON object`);
      }
    },
    onParse() {
      return ({ result, context }) => {
        const { request, params } = context as GatewayContext & { params?: { operationName?: string } };
        // WebSocket operations run as POSTs; a request-less context is not an HTTP request at all.
        if (request?.method !== 'GET' || !result || result instanceof Error) return;
        const operation = getOperationAST(result, params?.operationName ?? undefined);
        if (operation?.operation === 'mutation') throw methodNotAllowed('mutation');
      };
    },
  };
}
