import { createHash } from 'node:crypto';

/**
 * The keys page's script: sign in (the token stays in this page's memory,
 * never in storage or a cookie), list, issue and revoke through the key API.
 * Everything from the API is put in the page as text (textContent), never as
 * HTML, so a label like `<script>` shows as typed.
 */
const KEYS_SCRIPT = `(function () {
  var api = '/_loom/portal/api/keys';
  var token = '';
  var bff = '';
  function $(id) { return document.getElementById(id); }
  function show(id, on) { $(id).classList.toggle('hidden', !on); }
  function say(text) { $('keys-error').textContent = text || ''; show('keys-error', !!text); }
  var headings = ['label', 'key', 'plan', 'owner', 'created', 'last used', 'requests', 'budget spent', ''];
  function cell(row, text, className) {
    var td = document.createElement('td');
    td.textContent = text;
    td.setAttribute('data-label', headings[row.children.length] || '');
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }
  function windowText(ms) {
    if (ms % 3600000 === 0) return ms === 3600000 ? 'hour' : (ms / 3600000) + ' hours';
    if (ms % 60000 === 0) return ms === 60000 ? 'minute' : (ms / 60000) + ' minutes';
    return (ms / 1000) + ' s';
  }
  function call(method, path, body) {
    var init = { method: method, headers: { authorization: 'Bearer ' + token } };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(path + (path.indexOf('?') < 0 ? '?' : '&') + 'bff=' + encodeURIComponent(bff), init).then(function (response) {
      if (response.status === 204) return null;
      return response.json().then(function (json) {
        if (!response.ok) throw new Error((json.error && json.error.message) || ('HTTP ' + response.status));
        return json;
      });
    });
  }
  function render(list) {
    $('keys-who').textContent = list.caller.admin ? 'Signed in as admin: every key of ' + list.bff : 'Signed in as ' + list.caller.owner + ': your keys for ' + list.bff;
    show('keys-owner-row', list.caller.admin);
    $('keys-table').classList.toggle('admin', list.caller.admin);
    var plan = $('keys-plan');
    if (plan.options.length !== list.plans.length) {
      plan.textContent = '';
      list.plans.forEach(function (name) {
        var option = document.createElement('option');
        option.value = name;
        option.textContent = name;
        plan.appendChild(option);
      });
    }
    var rows = $('keys-rows');
    rows.textContent = '';
    list.keys.forEach(function (key) {
      var row = document.createElement('tr');
      row.setAttribute('data-key-id', key.id);
      cell(row, key.label, 'key-label');
      cell(row, key.hint + '…', 'key-hint');
      cell(row, key.plan);
      cell(row, key.owner, 'owner');
      cell(row, key.createdAt.replace('T', ' ').slice(0, 19));
      cell(row, key.lastUsedAt ? key.lastUsedAt.replace('T', ' ').slice(0, 19) : 'never', 'key-last-used');
      cell(row, key.uses + (key.uses === 1 ? ' request' : ' requests'), 'key-uses');
      cell(row, key.usage.length ? key.usage.map(function (use) {
        return use.used + ' / ' + use.budget + ' per ' + windowText(use.windowMs) + ' (' + use.rule + ')';
      }).join('; ') : 'not metered', 'key-usage');
      var actions = cell(row, '');
      var revoke = document.createElement('button');
      revoke.type = 'button';
      revoke.textContent = 'Revoke';
      revoke.className = 'key-revoke';
      revoke.addEventListener('click', function () {
        call('DELETE', api + '/' + encodeURIComponent(key.id)).then(refresh, function (error) { say(error.message); });
      });
      actions.appendChild(revoke);
      rows.appendChild(row);
    });
    show('keys-empty', list.keys.length === 0);
  }
  function refresh() {
    return call('GET', api).then(function (list) {
      say('');
      render(list);
      show('keys-panel', true);
    }, function (error) {
      show('keys-panel', false);
      say(error.message);
    });
  }
  var signin = $('keys-signin');
  if (!signin) return;
  signin.addEventListener('submit', function (event) {
    event.preventDefault();
    token = $('keys-token').value.trim();
    bff = $('keys-bff').value;
    show('keys-new', false);
    refresh();
  });
  $('keys-refresh').addEventListener('click', function () { refresh(); });
  $('keys-issue').addEventListener('submit', function (event) {
    event.preventDefault();
    var body = { bff: bff, plan: $('keys-plan').value, label: $('keys-label').value };
    if (!$('keys-owner-row').classList.contains('hidden') && $('keys-owner').value.trim()) body.owner = $('keys-owner').value.trim();
    call('POST', api, body).then(function (issued) {
      $('keys-new-key').textContent = issued.key;
      show('keys-new', true);
      $('keys-label').value = '';
      return refresh();
    }, function (error) { say(error.message); });
  });
})();
`;

export const KEYS_SCRIPT_URL = `/_loom/portal/keys.${createHash('sha256').update(KEYS_SCRIPT).digest('hex').slice(0, 10)}.js`;

export function serveKeysScript(request: Request): Response {
  return new Response(request.method === 'HEAD' ? null : KEYS_SCRIPT, {
    headers: {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    },
  });
}
