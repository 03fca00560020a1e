import { createHash } from 'node:crypto';
import { escapeHtml, type PageOptions } from './html';

/**
 * The stylesheet of the portal and the BFF pages: readable on a phone (one
 * column, wrapping code, tables that scroll inside their box, never the page).
 */
const STYLESHEET = `
:root { color-scheme: light dark; --fg: #1d232b; --muted: #5b6572; --bg: #fff; --card: #f5f7fa; --line: #d9dee5; --accent: #b3126b; --ok: #17803d; --warn: #a15c00; --bad: #b3261e; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ee; --muted: #a3acb8; --bg: #14171c; --card: #1d222a; --line: #323a45; --accent: #f26bb5; --ok: #5fd18b; --warn: #f0b45c; --bad: #ff8a80; } }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); overflow-wrap: anywhere; }
header.top { padding: 12px 16px; border-bottom: 1px solid var(--line); display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: baseline; }
header.top h1 { font-size: 1.25rem; margin: 0; }
header.top nav a { margin-right: 12px; }
main { max-width: 1100px; margin: 0 auto; padding: 8px 16px 48px; }
h2 { font-size: 1.2rem; margin: 28px 0 8px; }
h3 { font-size: 1.05rem; margin: 0 0 4px; }
a { color: var(--accent); }
.muted { color: var(--muted); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; margin: 10px 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 330px), 1fr)); gap: 10px; }
.cards .card { margin: 0; }
ul.policies { margin: 6px 0; padding-left: 20px; }
code, pre { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 8px; white-space: pre-wrap; word-break: break-word; margin: 6px 0; }
.table { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { white-space: nowrap; }
.badge { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: 12px; border: 1px solid var(--line); }
.state-closed, .ok { color: var(--ok); } .state-half-open, .warn { color: var(--warn); } .state-open, .bad { color: var(--bad); }
.button { display: inline-block; padding: 4px 10px; border: 1px solid var(--accent); border-radius: 6px; text-decoration: none; margin: 4px 6px 0 0; }
input[type=search] { width: 100%; font: inherit; padding: 8px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
.type { margin: 10px 0; }
.type > h3 code { font-size: 15px; }
.field { padding: 4px 0 4px 12px; border-left: 2px solid var(--line); margin: 4px 0; }
.field .desc, .type .desc { color: var(--muted); font-size: 14px; }
.deprecated { text-decoration: line-through; }
.hidden { display: none !important; }
form.form { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: flex-end; }
form.form label { display: flex; flex-direction: column; font-size: 14px; flex: 1 1 200px; }
form input, form select, button { font: inherit; padding: 6px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
button { border-color: var(--accent); color: var(--accent); cursor: pointer; white-space: nowrap; }
.card > h2:first-child { margin-top: 0; }
table.keys:not(.admin) .owner { display: none; }
@media (max-width: 640px) {
  table.keys thead { display: none; }
  table.keys tr { display: block; border-bottom: 1px solid var(--line); padding: 6px 0; }
  table.keys td { display: flex; gap: 8px; border: 0; padding: 2px 0; }
  table.keys td::before { content: attr(data-label); flex: 0 0 7.5em; color: var(--muted); }
}
h2 button { font-size: 14px; padding: 2px 8px; margin-left: 8px; }
`;

/**
 * The portal's one script: the schema search. It hides the fields (and types)
 * whose name, type, arguments and description do not contain every word typed.
 */
const SEARCH_SCRIPT = `(function () {
  var input = document.getElementById('schema-search');
  if (!input) return;
  var types = Array.prototype.slice.call(document.querySelectorAll('[data-type]'));
  var count = document.getElementById('search-count');
  function apply() {
    var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    types.forEach(function (type) {
      var typeText = type.getAttribute('data-search');
      var fields = Array.prototype.slice.call(type.querySelectorAll('[data-field]'));
      var typeMatches = words.every(function (word) { return typeText.indexOf(word) >= 0; });
      var any = false;
      fields.forEach(function (field) {
        var text = typeText + ' ' + field.getAttribute('data-search');
        var match = words.every(function (word) { return text.indexOf(word) >= 0; });
        field.classList.toggle('hidden', !match);
        if (match) { any = true; shown++; }
      });
      type.classList.toggle('hidden', !(any || (typeMatches && fields.length === 0)));
    });
    if (count) count.textContent = words.length ? shown + ' matching fields' : '';
  }
  input.addEventListener('input', apply);
  if (input.value) apply();
})();
`;

interface PageAsset {
  body: string;
  contentType: string;
}

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 10);

/** Content-addressed URLs: a page always links the version it was rendered with. */
export const PAGE_ASSET_ROOT = '/_loom/page/';
export const STYLESHEET_URL = `${PAGE_ASSET_ROOT}style.${hash(STYLESHEET)}.css`;
export const SEARCH_SCRIPT_URL = `${PAGE_ASSET_ROOT}search.${hash(SEARCH_SCRIPT)}.js`;

const PAGE_ASSETS: ReadonlyMap<string, PageAsset> = new Map([
  [STYLESHEET_URL, { body: STYLESHEET, contentType: 'text/css; charset=utf-8' }],
  [SEARCH_SCRIPT_URL, { body: SEARCH_SCRIPT, contentType: 'text/javascript; charset=utf-8' }],
]);

/** Serves the stylesheet or the search script; any other path below the root is 404 (matched whole, never a file). */
export function servePageAsset(request: Request, pathname: string): Response {
  const asset = PAGE_ASSETS.get(pathname);
  if (request.method !== 'GET' && request.method !== 'HEAD')
    return new Response('method not allowed', { status: 405, headers: { allow: 'GET, HEAD' } });
  if (!asset) return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
  return new Response(request.method === 'HEAD' ? null : asset.body, {
    headers: {
      'content-type': asset.contentType,
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    },
  });
}

/** A whole HTML page in Loom's style; `body` is HTML the caller escaped. */
export function renderPage({ title, body, head = '' }: PageOptions): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="stylesheet" href="${STYLESHEET_URL}">${head}</head>
<body>${body}</body></html>
`;
}
