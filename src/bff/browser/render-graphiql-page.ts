import { GRAPHIQL_ASSET_BASE } from './graphiql-assets';
import { escapeHtml, jsonForScript } from './html';

/**
 * GraphiQL's page needs more than Loom's other pages: Monaco sets inline
 * styles and starts its workers from this origin. Still no inline script and
 * no request to any other origin.
 */
export const GRAPHIQL_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'self'; " +
  "frame-ancestors 'none'";

export interface GraphiqlPageOptions {
  bffName: string;
  /** The BFF's endpoint, which GraphiQL queries. */
  endpoint: string;
  /** The query in a new GraphiQL's first tab. */
  defaultQuery?: string;
}

/** The GraphiQL page of one BFF, every asset from GRAPHIQL_ASSET_BASE on this origin. */
export function renderGraphiqlPage({ bffName, endpoint, defaultQuery }: GraphiqlPageOptions): string {
  const title = `${bffName} · GraphiQL · Loom`;
  const options = {
    assetBase: GRAPHIQL_ASSET_BASE,
    graphiql: {
      endpoint,
      title,
      defaultQuery,
      // Queries by POST: the BFF's CSRF guard wants no header on those, and URLs stay short.
      method: 'POST',
    },
  };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="${GRAPHIQL_ASSET_BASE}favicon.ico"><link rel="stylesheet" href="${GRAPHIQL_ASSET_BASE}graphiql.css"></head>
<body id="body" class="no-focus-outline">
<noscript>GraphiQL needs JavaScript. The BFF answers GraphQL over HTTP at ${escapeHtml(endpoint)}; the portal at / describes it.</noscript>
<div id="root">Loading GraphiQL for ${escapeHtml(bffName)}…</div>
<script type="application/json" id="loom-graphiql-options">${jsonForScript(options)}</script>
<script src="${GRAPHIQL_ASSET_BASE}graphiql.js"></script><script src="${GRAPHIQL_ASSET_BASE}start-graphiql.js"></script>
</body></html>
`;
}
