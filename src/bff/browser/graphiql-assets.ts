import { createHash } from 'node:crypto';

/** Where GraphiQL's scripts, styles and editor workers are served: below no BFF (BFF names start with a letter). */
export const GRAPHIQL_ASSET_ROOT = '/_loom/graphiql/';

/** What `@graphql-yoga/render-graphiql/graphiql` exports: the whole GraphiQL build as strings. */
interface GraphiqlBundle {
  js: string;
  css: string;
  favicon: string;
  editorWorkerService: string;
  jsonWorker: string;
  graphqlWorker: string;
}

/**
 * Runs after the GraphiQL bundle: points Monaco at the workers served here
 * (the stock page fetches them from a CDN), then renders GraphiQL with the
 * options the page carries as JSON. A file, not an inline script, so the page
 * can have a CSP without 'unsafe-inline' for scripts.
 */
const START_SCRIPT = `(function () {
  var options = JSON.parse(document.getElementById('loom-graphiql-options').textContent);
  var workers = { editorWorkerService: 'editor.worker.js', json: 'json.worker.js', graphql: 'graphql.worker.js' };
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (moduleId, label) {
      return options.assetBase + (workers[label] || workers.editorWorkerService);
    },
  };
  // "Open in GraphiQL" links carry their query in the URL.
  var query = new URLSearchParams(location.search).get('query');
  if (query) options.graphiql.query = query;
  YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options.graphiql);
})();
`;

function readBundleVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('@graphql-yoga/render-graphiql/package.json') as { version: string }).version;
}

/**
 * The versioned folder every asset URL starts with: the bundle's version and
 * the start script's hash, so a browser may keep the files for a year and
 * still gets new ones after an upgrade.
 */
export const GRAPHIQL_ASSET_BASE = `${GRAPHIQL_ASSET_ROOT}${readBundleVersion()}-${createHash('sha256')
  .update(START_SCRIPT)
  .digest('hex')
  .slice(0, 8)}/`;

interface Asset {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  etag: string;
}

const JS = 'text/javascript; charset=utf-8';

function createAsset(body: string | Uint8Array<ArrayBuffer>, contentType: string): Asset {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return { body: bytes, contentType, etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"` };
}

function dataUrlBytes(dataUrl: string): Uint8Array<ArrayBuffer> {
  return Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
}

let assets: ReadonlyMap<string, Asset> | undefined;

/** The asset table, by file name. About 9 MB of strings: read on the first asset request, not at start-up. */
function loadAssets(): ReadonlyMap<string, Asset> {
  if (assets) return assets;
  // A subpath export, which this project's TypeScript resolution (node10) cannot type: typed by GraphiqlBundle.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bundle = require('@graphql-yoga/render-graphiql/graphiql') as GraphiqlBundle;
  assets = new Map([
    ['graphiql.js', createAsset(bundle.js, JS)],
    ['graphiql.css', createAsset(bundle.css, 'text/css; charset=utf-8')],
    ['favicon.ico', createAsset(dataUrlBytes(bundle.favicon), 'image/x-icon')],
    ['editor.worker.js', createAsset(bundle.editorWorkerService, JS)],
    ['json.worker.js', createAsset(bundle.jsonWorker, JS)],
    ['graphql.worker.js', createAsset(bundle.graphqlWorker, JS)],
    ['start-graphiql.js', createAsset(START_SCRIPT, JS)],
  ]);
  return assets;
}

/** True when `pathname` is under the asset root, whether or not it names an asset. */
export function isGraphiqlAssetPath(pathname: string): boolean {
  return pathname.startsWith(GRAPHIQL_ASSET_ROOT);
}

/**
 * Serves one GraphiQL asset. The path is matched whole against a fixed table
 * (never joined to a file path), so `..`, encoded slashes and long paths can
 * only miss: 404. Only GET and HEAD; a matching `If-None-Match` gets 304.
 */
export function serveGraphiqlAsset(request: Request, pathname: string): Response {
  if (request.method !== 'GET' && request.method !== 'HEAD')
    return new Response('method not allowed', { status: 405, headers: { allow: 'GET, HEAD' } });
  const asset = pathname.startsWith(GRAPHIQL_ASSET_BASE)
    ? loadAssets().get(pathname.slice(GRAPHIQL_ASSET_BASE.length))
    : undefined;
  if (!asset) return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
  const headers = {
    'content-type': asset.contentType,
    'cache-control': 'public, max-age=31536000, immutable',
    etag: asset.etag,
    'x-content-type-options': 'nosniff',
  };
  if (request.headers.get('if-none-match') === asset.etag) return new Response(null, { status: 304, headers });
  return new Response(request.method === 'HEAD' ? null : asset.body, { headers });
}
