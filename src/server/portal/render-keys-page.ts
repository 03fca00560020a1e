import { escapeHtml } from '../../bff/browser/html';
import { renderPage } from '../../bff/browser/page-assets';
import type { GatewayParts } from '../gateway-parts';
import { acceptsIssuedKeys, plansOf } from './key-plans';
import { MAX_LABEL_LENGTH } from './key-routes';
import { KEYS_SCRIPT_URL } from './keys-script';

export const KEYS_PAGE_PATH = '/_loom/portal/keys';

/**
 * The keys page: sign in with a token the BFF accepts (or the admin token where
 * allowed), then issue, list and revoke keys. The page itself holds no key and
 * no name from the store: the script fills the table as text after sign-in.
 */
export function renderKeysPage(gateway: GatewayParts, { adminAllowed }: { adminAllowed: boolean }): string {
  const apps = [...gateway.bffs.values()].filter(acceptsIssuedKeys);
  const nav = `<header class="top"><h1>API keys</h1><nav><a href="/">Portal</a><a href="/#bffs">BFFs</a></nav></header>`;
  if (apps.length === 0)
    return renderPage({
      title: 'API keys · Loom',
      body: `${nav}<main><p class="muted">No BFF takes portal keys: give its useAuth <code>apiKey: { issued: true }</code>.</p></main>`,
    });
  const options = apps
    .map(
      (app) =>
        `<option value="${escapeHtml(app.name)}">${escapeHtml(app.name)} (plans: ${escapeHtml(plansOf(app).join(', '))})</option>`,
    )
    .join('');
  const adminNote = !gateway.config.portal.adminToken
    ? 'No admin token is configured (<code>portal.adminToken</code>).'
    : adminAllowed
      ? 'The admin token (<code>portal.adminToken</code>) shows and revokes every key, and issues keys for any owner.'
      : 'The admin token works on the admin port only.';
  const body = `${nav}<main>
<section class="card"><h2>Sign in</h2>
<p>Use a token the BFF itself accepts (its JWT): you see and manage your own keys. ${adminNote}</p>
<form id="keys-signin" class="form"><label>BFF <select id="keys-bff" name="bff">${options}</select></label>
<label>Token <input id="keys-token" name="token" type="password" autocomplete="off" required></label>
<button type="submit">Sign in</button></form></section>
<p id="keys-error" class="bad hidden" role="alert"></p>
<div id="keys-panel" class="hidden">
<p id="keys-who" class="muted"></p>
<section class="card"><h2>Issue a key</h2>
<form id="keys-issue" class="form"><label>Plan <select id="keys-plan" name="plan"></select></label>
<label>Label <input id="keys-label" name="label" maxlength="${MAX_LABEL_LENGTH}" required placeholder="e.g. checkout web app"></label>
<label id="keys-owner-row" class="hidden">Owner <input id="keys-owner" name="owner" placeholder="admin"></label>
<button type="submit">Issue key</button></form>
<div id="keys-new" class="hidden"><p class="warn">Copy the key now: it is shown once, and only its SHA-256 digest is stored.</p><pre><code id="keys-new-key"></code></pre>
<p class="muted">Send it in the <code>x-api-key</code> header.</p></div></section>
<section class="card"><h2>Your keys <button type="button" id="keys-refresh">Refresh</button></h2>
<p id="keys-empty" class="muted hidden">No keys yet.</p>
<div class="table"><table id="keys-table" class="keys"><thead><tr><th>label</th><th>key</th><th>plan</th><th class="owner">owner</th><th>created (UTC)</th><th>last used (UTC)</th><th>requests</th><th>budget spent now</th><th></th></tr></thead><tbody id="keys-rows"></tbody></table></div>
<p class="muted">Requests: every request the key authenticated, on every instance. Budget spent: what the rate limiter has charged and not yet refilled, per rule, against the plan's budget. A revoked key is refused (401) by the next request, on every instance.</p></section>
</div></main>`;
  return renderPage({
    title: 'API keys · Loom',
    body,
    head: `<script src="${KEYS_SCRIPT_URL}" defer></script>`,
  });
}
