import type { PersistedOperationList } from '../persisted-operation-list';
import { escapeHtml } from './html';
import { renderPage } from './page-assets';

export interface BffPageOptions {
  bffName: string;
  endpoint: string;
  /** The origin the browser used, for the curl example. */
  origin: string;
  description?: string;
  /** The persisted operations the BFF serves, if any. */
  persisted?: PersistedOperationList;
  /** The header an API key travels in, when the BFF wants one. */
  apiKeyHeader?: string;
}

function curlExample(url: string, id: string, apiKeyHeader: string | undefined): string {
  const key = apiKeyHeader ? ` -H '${apiKeyHeader}: <your key>'` : '';
  const body = JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: id } } });
  return `curl -s ${escapeHtml(url)} -H 'content-type: application/json'${escapeHtml(key)} \\\n  -d '${escapeHtml(body)}'`;
}

function renderOperations(url: string, persisted: PersistedOperationList, apiKeyHeader?: string): string {
  const rows = persisted.operations
    .map(
      (operation) => `<div class="card operation"><h3>${escapeHtml(operation.name)}</h3>
<p class="muted">id <code>${escapeHtml(operation.id)}</code> · cost ${operation.cost ?? 'depends on variables'}</p>
<pre>${escapeHtml(operation.text)}</pre></div>`,
    )
    .join('');
  const first = persisted.operations[0];
  return `<h2>${persisted.persistedOnly ? 'The operations this BFF accepts' : 'Persisted operations'} (${persisted.operations.length})</h2>
<p>${
    persisted.persistedOnly
      ? 'This BFF runs persisted operations only: send an id below, not a query.'
      : 'Send an id below instead of the query text, or any query.'
  } Put the id in <code>extensions.persistedQuery.sha256Hash</code> or <code>documentId</code>.</p>
${first ? `<pre>${curlExample(url, first.id, apiKeyHeader)}</pre>` : ''}${rows}`;
}

/**
 * What a browser gets at a BFF endpoint whose GraphiQL is off: the BFF, how to
 * call it, and its persisted operations (for a persisted-only BFF, the whole
 * of what it accepts) instead of a GraphQL error in JSON.
 */
export function renderBffPage({
  bffName,
  endpoint,
  origin,
  description,
  persisted,
  apiKeyHeader,
}: BffPageOptions): string {
  const body = `<header class="top"><h1>${escapeHtml(bffName)}</h1><nav><a href="/">Portal</a></nav></header><main>
<p>${escapeHtml(description ?? '')}</p>
<p>GraphQL over HTTP at <code>${escapeHtml(endpoint)}</code>. GraphiQL is off on this BFF.${
    apiKeyHeader ? ` Every call needs an API key in <code>${escapeHtml(apiKeyHeader)}</code>.` : ''
  }</p>
${persisted ? renderOperations(`${origin}${endpoint}`, persisted, apiKeyHeader) : '<p>The portal at <a href="/">/</a> describes its policies.</p>'}
</main>`;
  return renderPage({ title: `${bffName} · Loom`, body });
}
