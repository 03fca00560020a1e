import { basename } from 'node:path';
import type { BffApp } from '../../bff/create-bff-app';
import { escapeHtml } from '../../bff/browser/html';
import { renderPage } from '../../bff/browser/page-assets';
import { listPersistedOperations } from '../../bff/persisted-operation-list';
import { specFieldsOf } from '../../config/validate-config';
import { isUrl } from '../../handlers/spec-location';
import type { GatewayParts } from '../gateway-parts';
import { describeBffPolicies } from './describe-policies';
import type { DeprecatedVersionCaller, OperationTraffic, SourceHealth } from './live-health';
import { acceptsIssuedKeys, plansOf } from './key-plans';
import type { ReloadStatus } from '../gateway-parts';

/** Where the portal's own pages live: below no BFF (BFF names start with a letter). */
export const PORTAL_ROOT = '/_loom/portal/';
export const bffReferencePath = (bff: string) => `${PORTAL_ROOT}bffs/${encodeURIComponent(bff)}`;
export const specPath = (source: string, index: number) =>
  `${PORTAL_ROOT}sources/${encodeURIComponent(source)}/spec/${index}`;

/** Live state for the portal; only where health details may be shown (see Surface). */
export interface PortalLiveState {
  sources: ReadonlyMap<string, SourceHealth>;
  traffic: readonly OperationTraffic[];
  deprecatedCallers: readonly DeprecatedVersionCaller[];
}

const percent = (part: number, whole: number) => (whole ? `${((100 * part) / whole).toFixed(1)}%` : '–');
const milliseconds = (ms: number | undefined) =>
  ms === undefined ? '–' : Number.isFinite(ms) ? `≤ ${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms` : '> 10 s';

export function graphiqlLink(app: BffApp, query = app.exampleQuery): string {
  return query ? `${app.endpoint}?query=${encodeURIComponent(query)}` : app.endpoint;
}

/**
 * Whether the portal may show a BFF's schema: where the BFF answers
 * introspection anyway, or on the admin port. A BFF that hides its schema
 * from clients (mobile in production) keeps it hidden on the client port.
 */
export const mayShowSchema = (app: BffApp, everySchema: boolean) => everySchema || app.introspection;

function renderBff(app: BffApp, everySchema: boolean): string {
  const links = [
    app.graphiql ? `<a class="button" href="${escapeHtml(graphiqlLink(app))}">Open in GraphiQL</a>` : '',
    mayShowSchema(app, everySchema)
      ? `<a class="button" href="${escapeHtml(bffReferencePath(app.name))}">Schema reference</a>`
      : '',
    app.graphiql ? '' : `<a class="button" href="${escapeHtml(app.endpoint)}">Operations page</a>`,
    acceptsIssuedKeys(app) ? `<a class="button" href="/_loom/portal/keys">API keys</a>` : '',
  ].join('');
  const keys = acceptsIssuedKeys(app)
    ? [`API keys from the Keys page are accepted here (plans: ${plansOf(app).join(', ')}).`]
    : [];
  const policies = [...describeBffPolicies(app), ...keys].map((line) => `<li>${escapeHtml(line)}</li>`).join('');
  return `<article class="card bff" id="bff-${escapeHtml(app.name)}"><h3>${escapeHtml(app.name)}</h3>
<p>${escapeHtml(app.definition.description ?? '')}</p>
<p>Endpoint <code>${escapeHtml(app.endpoint)}</code></p>${links}
<ul class="policies">${policies}</ul></article>`;
}

function rootFields(gateway: GatewayParts, sourceName: string): string[] {
  const source = gateway.composed.sources.find((candidate) => candidate.name === sourceName);
  if (!source) return [];
  const { schema } = source;
  return [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((root) =>
    root ? Object.keys(root.getFields()).map((field) => `${root.name}.${field}`) : [],
  );
}

function renderHealth(health: SourceHealth | undefined): string {
  if (!health) return '<p class="muted">No calls yet.</p>';
  const endpoints = health.endpoints
    .map(
      (endpoint) =>
        `<tr><td><code>${escapeHtml(endpoint.endpoint)}</code>${endpoint.backup ? ' (backup)' : ''}</td><td class="state-${escapeHtml(endpoint.circuit)}">${escapeHtml(endpoint.circuit === 'none' ? 'no breaker' : endpoint.circuit)}${endpoint.ejected ? ', ejected' : ''}</td><td>${endpoint.outstanding}</td></tr>`,
    )
    .join('');
  return `<p>Since start: ${health.calls.toLocaleString('en-US')} calls, error rate ${percent(health.errors, health.calls)}, p95 ${milliseconds(health.p95Ms)}</p>${
    endpoints
      ? `<div class="table"><table><thead><tr><th>endpoint</th><th>breaker</th><th>in flight</th></tr></thead><tbody>${endpoints}</tbody></table></div>`
      : ''
  }`;
}

function renderSource(gateway: GatewayParts, name: string, live: PortalLiveState | undefined): string {
  const options = gateway.config.sources.find((source) => source.name === name);
  if (!options) return '';
  const specs = specFieldsOf(options)
    .map(([field, location], index) =>
      isUrl(location)
        ? `<li>${escapeHtml(field)}: <code>${escapeHtml(location)}</code></li>`
        : `<li><a href="${escapeHtml(specPath(name, index))}" download="${escapeHtml(basename(location))}">${escapeHtml(basename(location))}</a> (${escapeHtml(field)})</li>`,
    )
    .join('');
  const fields = rootFields(gateway, name);
  const owns = new Set(fields.map((field) => field.split('.')[1]));
  const links = gateway.config.links
    .map((link) => {
      const resolvedHere = owns.has(link.resolveWith);
      const fromHere = rootFieldsOfType(gateway, name, link.field.split('.')[0]);
      if (!resolvedHere && !fromHere) return '';
      return `<li><code>${escapeHtml(link.field)}</code> → <code>${escapeHtml(link.resolveWith)}</code>${resolvedHere ? ' (resolved here)' : ' (from here)'}</li>`;
    })
    .join('');
  return `<article class="card source" id="source-${escapeHtml(name)}"><h3>${escapeHtml(name)} <span class="badge">${escapeHtml(options.kind)}</span></h3>
${specs ? `<p>Spec</p><ul>${specs}</ul>` : '<p class="muted">Schema introspected from the endpoint.</p>'}
<details><summary>${fields.length} ${fields.length === 1 ? 'operation' : 'operations'} contributed</summary><ul>${fields.map((field) => `<li><code>${escapeHtml(field)}</code></li>`).join('')}</ul></details>
${links ? `<p>Links</p><ul>${links}</ul>` : ''}
${live ? renderHealth(live.sources.get(name)) : ''}</article>`;
}

/** Whether a source defines the type that a link adds a field to (the link goes out from it). */
function rootFieldsOfType(gateway: GatewayParts, sourceName: string, typeName: string): boolean {
  const source = gateway.composed.sources.find((candidate) => candidate.name === sourceName);
  return !!source?.schema.getType(typeName);
}

function renderOperations(gateway: GatewayParts, live: PortalLiveState | undefined): string {
  const persisted = [...gateway.bffs.values()]
    .map((app) => {
      const list = listPersistedOperations(app.schema, app.policies);
      if (!list) return '';
      const rows = list.operations
        .map(
          (operation) =>
            `<tr><td><b>${escapeHtml(operation.name)}</b><details><summary><code>${escapeHtml(operation.id.slice(0, 12))}…</code></summary><code>${escapeHtml(operation.id)}</code><pre>${escapeHtml(operation.text)}</pre></details></td><td>${operation.cost ?? '–'}</td></tr>`,
        )
        .join('');
      return `<h3>${escapeHtml(app.name)}${list.persistedOnly ? ' (persisted only)' : ''}</h3>
<div class="table"><table><thead><tr><th>operation</th><th>cost</th></tr></thead><tbody>${rows}</tbody></table></div>`;
    })
    .join('');
  const traffic = live ? renderTraffic(live.traffic) + renderDeprecatedCallers(live.deprecatedCallers) : '';
  return persisted || traffic ? persisted + traffic : '<p class="muted">No persisted operations.</p>';
}

function trafficTable(title: string, entries: readonly OperationTraffic[]): string {
  const rows = entries
    .map(
      (entry) =>
        `<tr><td>${escapeHtml(entry.bff)}</td><td><code>${escapeHtml(entry.operation)}</code></td><td>${entry.requests.toLocaleString('en-US')}</td><td>${percent(entry.errors, entry.requests)}</td></tr>`,
    )
    .join('');
  return `<h3>${title}</h3><div class="table"><table><thead><tr><th>BFF</th><th>operation</th><th>requests</th><th>error rate</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** The busiest operations since start, and those whose answers most often carry errors. */
function renderTraffic(traffic: readonly OperationTraffic[]): string {
  if (traffic.length === 0) return '';
  const failing = traffic
    .filter((entry) => entry.errors > 0)
    .sort((left, right) => right.errors / right.requests - left.errors / left.requests || right.errors - left.errors);
  return (
    trafficTable('Busiest operations since start', traffic.slice(0, 10)) +
    (failing.length ? trafficTable('Highest error rate since start', failing.slice(0, 10)) : '')
  );
}

/** Clients still calling a deprecated or sunset version (from the version metric), so their owners can be told. */
function renderDeprecatedCallers(callers: readonly DeprecatedVersionCaller[]): string {
  if (callers.length === 0) return '';
  const rows = callers
    .slice(0, 50)
    .map(
      (caller) =>
        `<tr><td>${escapeHtml(caller.bff)}</td><td>${escapeHtml(caller.version)}</td><td>${escapeHtml(caller.state)}</td><td><code>${escapeHtml(caller.client)}</code></td><td>${escapeHtml(caller.clientVersion)}</td><td>${caller.requests.toLocaleString('en-US')}</td></tr>`,
    )
    .join('');
  return `<h3 id="deprecated-callers">Still calling deprecated versions since start</h3><div class="table"><table><thead><tr><th>BFF</th><th>version</th><th>state</th><th>client</th><th>client version</th><th>requests</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** When the graph was last (re)loaded: hot reload's state (`loom serve --watch`, SIGHUP), or the start. */
export function renderReloadStatus(status: ReloadStatus | undefined): string {
  if (!status) return '';
  const generation = `generation ${status.generation}`;
  if (status.reloading) return `<p class="muted" id="last-reload">Reloading now (serving ${generation}).</p>`;
  if (!status.lastReloadAt)
    return `<p class="muted" id="last-reload">Last reload: none since start (${generation}).</p>`;
  const when = escapeHtml(status.lastReloadAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'));
  return status.lastReloadOk === false
    ? `<p class="bad" id="last-reload">Last reload at ${when} failed: ${escapeHtml(status.lastReloadError ?? 'unknown error')}; still serving ${generation}.</p>`
    : `<p class="ok" id="last-reload">Last reload at ${when} succeeded (${generation}).</p>`;
}

export interface RenderPortalOptions {
  /** Health details and traffic: on the one port without an admin port, else on the admin port only. */
  live?: PortalLiveState;
  /** Link every BFF's schema reference, introspection or not (the admin port). */
  everySchema: boolean;
}

/** The developer portal at `/`: every BFF with its policies in words, the sources, the persisted operations. */
export function renderPortal(gateway: GatewayParts, { live, everySchema }: RenderPortalOptions): string {
  const bffs = [...gateway.bffs.values()].map((app) => renderBff(app, everySchema)).join('');
  const sources = gateway.config.sources.map((source) => renderSource(gateway, source.name, live)).join('');
  const healthNote = live
    ? ''
    : '<p class="muted">Live health (breakers, error rates, latency) is on the admin port.</p>';
  const body = `<header class="top"><h1>Loom developer portal</h1><nav><a href="#bffs">BFFs</a><a href="#sources">Sources</a><a href="#operations">Operations</a><a href="/_loom/portal/keys">Keys</a></nav></header>
<main>
<h2 id="bffs">BFFs</h2><div class="cards">${bffs}</div>
<h2 id="sources">Sources</h2>${renderReloadStatus(gateway.reloadStatus?.())}${healthNote}<div class="cards">${sources}</div>
<h2 id="operations">Operations</h2>${renderOperations(gateway, live)}
<p class="muted">Process: <a href="/healthz">/healthz</a> · <a href="/readyz">/readyz</a>${live ? ' · <a href="/metrics">/metrics</a>' : ''}</p>
</main>`;
  return renderPage({ title: 'Loom developer portal', body });
}
