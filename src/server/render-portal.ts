import type { GatewayParts } from './gateway-parts';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );

/**
 * The developer portal at `/`: every BFF, the sources behind it, and where to
 * query it. With an admin port, /metrics is not on this listener, so the
 * portal does not link it (the admin address is an operator's, not a client's).
 */
export function renderPortal(gateway: GatewayParts): string {
  const sources = gateway.composed.sources
    .map((source) => `<li><b>${escapeHtml(source.name)}</b> (${source.kind})</li>`)
    .join('');
  const bffs = [...gateway.bffs.values()]
    .map((bff) => {
      const typeCount = Object.keys(bff.schema.getTypeMap()).filter((name) => !name.startsWith('__')).length;
      const rootFields = Object.keys(bff.schema.getQueryType()?.getFields() ?? {})
        .slice(0, 12)
        .map(escapeHtml)
        .join(', ');
      return `<li><a href="${bff.endpoint}">${bff.endpoint}</a> — ${escapeHtml(bff.definition.description ?? '')} <small>${typeCount} types; queries: ${rootFields}</small></li>`;
    })
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Loom</title></head><body>
<h1>Loom</h1><h2>BFFs</h2><ul>${bffs}</ul><h2>Sources</h2><ul>${sources}</ul>
<p>Health: <a href="/healthz">/healthz</a> · <a href="/readyz">/readyz</a>${gateway.config.admin ? '' : ' · <a href="/metrics">/metrics</a>'}</p></body></html>`;
}
