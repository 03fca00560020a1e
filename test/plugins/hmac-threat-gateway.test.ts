import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { CatalogBackend } from '../../demo/catalog-backend';
import { startCatalogUnderTest, type CatalogUnderTest } from '../helpers/catalog-under-test';
import { TEST_HMAC_SECRET } from './fixtures/hmac-bff';

/** Signed as the README documents it, over the exact bytes sent. */
function signed(path: string, body: string, secret = TEST_HMAC_SECRET): Record<string, string> {
  const digest = createHash('sha256').update(body).digest('base64');
  const date = new Date().toUTCString();
  const nonce = randomUUID();
  const canonical = ['HMAC-SHA256', 'POST', path, date, nonce, digest].join('\n');
  const signature = createHmac('sha256', secret).update(canonical).digest('base64');
  return {
    authorization: `HMAC-SHA256 keyId="sensor-1", nonce="${nonce}", signature="${signature}"`,
    date,
    'content-digest': `sha-256=:${digest}:`,
  };
}

describe('HMAC-signed clients and threat protection in a real gateway (socket, demo catalog)', () => {
  let catalog: CatalogUnderTest;
  let backend: CatalogBackend;
  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${catalog.gateway.url}/web/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
      body,
    }).then(async (response) => ({ status: response.status, body: await response.json() }));

  beforeAll(async () => {
    catalog = await startCatalogUnderTest({ bffs: { web: './test/plugins/fixtures/hmac-bff.ts' }, socket: true });
    backend = catalog.backend;
  });
  afterAll(() => catalog?.close());
  beforeEach(() => backend.calls.reset());

  const QUERY = 'query($id: String!) { getCustomer(id: $id) { id name } }';

  it('serves a signed request and refuses a tampered one, which reaches no backend', async () => {
    const body = JSON.stringify({ query: QUERY, variables: { id: '1' } });
    const headers = signed('/web/graphql', body);
    const accepted = await post(body, headers);
    expect(accepted.status).toBe(200);
    expect(accepted.body.data.getCustomer.id).toBe('1');
    expect(backend.calls.count()).toBe(1);
    const tampered = await post(JSON.stringify({ query: QUERY, variables: { id: '2' } }), headers);
    expect(tampered.status).toBe(401);
    expect(tampered.body.errors[0].message).toBe('Invalid signature: the body does not match Content-Digest');
    const replayed = await post(body, headers);
    expect(replayed.body.errors[0].message).toBe('Invalid signature: nonce already used');
    expect(backend.calls.count()).toBe(1);
  });

  it.each([
    ['a SQL injection', { id: "1' OR '1'='1" }, 'sql-injection'],
    ['an encoded path traversal', { id: '..%2f..%2fadmin' }, 'path-traversal'],
    ['a script in a unicode escape', { id: '\u003cscript\u003e' }, 'script-injection'],
    ['a 100,000-item list', { id: Array(100_000).fill(1) }, 'maxArrayLength'],
  ])('refuses %s in signed variables with 400, nothing sent upstream', async (_name, variables, rule) => {
    const body = JSON.stringify({ query: QUERY, variables });
    const { status, body: answer } = await post(body, signed('/web/graphql', body));
    expect(status).toBe(400);
    expect(answer.errors[0].extensions).toMatchObject({ code: 'INPUT_REJECTED', rule });
    expect(backend.calls.count()).toBe(0);
  });
});
