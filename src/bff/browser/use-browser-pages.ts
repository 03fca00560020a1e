import type { Plugin } from 'graphql-yoga';
import { pageHeaders } from './html';
import { GRAPHIQL_CONTENT_SECURITY_POLICY } from './render-graphiql-page';

export interface BrowserPagesOptions {
  endpoint: string;
  /** Other paths the BFF answers (a version's, see create-versioned-bff-app.ts). @default [] */
  aliases?: readonly string[];
  /** GraphiQL's page, when the BFF offers GraphiQL. */
  graphiqlPage?: () => string;
  /** The BFF's page otherwise (its persisted operations), for the origin the browser asked. */
  bffPage: (origin: string) => string;
}

/** A browser opening the endpoint: GET, asking for HTML first-hand, like Yoga's own GraphiQL check. */
function isBrowserNavigation(request: Request, url: URL, paths: readonly string[]): boolean {
  return (
    request.method === 'GET' &&
    (request.headers.get('accept') ?? '').includes('text/html') &&
    paths.some((path) => url.pathname === path || url.pathname === `${path}/`)
  );
}

/**
 * Answers a browser that opens a BFF endpoint with an HTML page instead of a
 * GraphQL error: GraphiQL (assets served by Loom, see graphiql-assets.ts)
 * where the BFF offers it, else the BFF's page. Replaces Yoga's GraphiQL,
 * whose page loads its scripts and workers from a CDN. A GET that names an
 * operation (`documentId`, or `query` where GraphiQL is off) is a GraphQL
 * request and goes on.
 */
export function useBrowserPages({ endpoint, aliases = [], graphiqlPage, bffPage }: BrowserPagesOptions): Plugin {
  const paths = [endpoint, ...aliases];
  return {
    onRequest({ request, url, endResponse }) {
      if (!isBrowserNavigation(request, url, paths)) return;
      if (graphiqlPage) {
        endResponse(new Response(graphiqlPage(), { headers: pageHeaders(GRAPHIQL_CONTENT_SECURITY_POLICY) }));
        return;
      }
      if (url.searchParams.has('query') || url.searchParams.has('documentId') || url.searchParams.has('extensions'))
        return;
      endResponse(new Response(bffPage(url.origin), { headers: pageHeaders() }));
    },
  };
}
