import type { BffApp } from '../../bff/create-bff-app';
import { escapeHtml } from '../../bff/browser/html';
import { SEARCH_SCRIPT_URL, renderPage } from '../../bff/browser/page-assets';
import type { GatewayParts } from '../gateway-parts';
import { describeBffPolicies } from './describe-policies';
import { graphiqlLink } from './render-portal';
import { createFieldSources, renderSchemaReference } from './schema-reference';

/** One BFF's page: its policies and its whole schema, searchable (one small script; readable without it). */
export function renderBffReference(gateway: GatewayParts, app: BffApp): string {
  const sourcesOf = createFieldSources(gateway.composed.sources, gateway.config.links);
  const policies = describeBffPolicies(app)
    .map((line) => `<li>${escapeHtml(line)}</li>`)
    .join('');
  const body = `<header class="top"><h1>${escapeHtml(app.name)} <span class="muted">schema</span></h1><nav><a href="/">Portal</a>${
    app.graphiql ? `<a href="${escapeHtml(graphiqlLink(app))}">GraphiQL</a>` : ''
  }</nav></header>
<main><p>${escapeHtml(app.definition.description ?? '')}</p>
<p>Endpoint <code>${escapeHtml(app.endpoint)}</code></p>
<details><summary>Policies</summary><ul class="policies">${policies}</ul></details>
<p><label for="schema-search">Search the schema</label></p>
<input type="search" id="schema-search" placeholder="type, field, argument, description or source" autocomplete="off">
<p class="muted" id="search-count" aria-live="polite"></p>
${renderSchemaReference(app, sourcesOf)}
</main>`;
  return renderPage({
    title: `${app.name} schema · Loom`,
    body,
    head: `<script src="${SEARCH_SCRIPT_URL}" defer></script>`,
  });
}
