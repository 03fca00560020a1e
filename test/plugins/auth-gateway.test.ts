import { SignJWT } from 'jose';
import type { CatalogBackend } from '../../demo/catalog-backend';
import type { TestGateway } from '../helpers/test-gateway';
import { startCatalogUnderTest, type CatalogUnderTest } from '../helpers/catalog-under-test';
import { TEST_API_KEY, TEST_JWT_SECRET } from './fixtures/auth-bff';

const token = (claims: Record<string, unknown>) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('user-42')
    .setIssuer('https://idp.test')
    .setExpirationTime('2m')
    .sign(new TextEncoder().encode(TEST_JWT_SECRET));

describe('useAuth in a real gateway with the demo catalog', () => {
  let catalog: CatalogUnderTest;
  let backend: CatalogBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    catalog = await startCatalogUnderTest({
      bffs: { web: './test/plugins/fixtures/auth-bff.ts' },
      forwardHeaders: ['x-loom-subject', 'x-loom-plan', 'x-loom-tenant'],
    });
    ({ backend, gateway } = catalog);
  });
  afterAll(async () => {
    await catalog?.close();
  });
  beforeEach(() => backend.calls.reset());

  it('answers 401 UNAUTHENTICATED without calling the backend when credentials are missing or wrong', async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer nope' },
      { 'x-api-key': 'wrong-key-0123456789' },
    ];
    for (const headers of attempts) {
      const { status, body } = await gateway.query('web', { query: '{ getCustomer(id: "1") { id } }' }, headers);
      expect(status).toBe(401);
      expect(body.errors?.[0].extensions).toEqual({ code: 'UNAUTHENTICATED' });
    }
    expect(backend.calls.count()).toBe(0);
  });

  it('forwards the verified identity, never the one the client claims', async () => {
    const jwt = await token({ tenant: 'acme', plan: 'gold', scope: 'pii:read' });
    const { status, body } = await gateway.query(
      'web',
      { query: '{ getCustomer(id: "1") { id email } }' },
      { authorization: `Bearer ${jwt}`, 'x-loom-subject': 'admin', 'x-loom-tenant': 'evil' },
    );
    expect(status).toBe(200);
    expect(body).toEqual({ data: { getCustomer: { id: '1', email: 'customer1@example.test' } } });
    const headers = backend.lastHeaders.get('getCustomer');
    expect(headers?.['x-loom-subject']).toBe('user-42');
    expect(headers?.['x-loom-plan']).toBe('gold');
    expect(headers?.['x-loom-tenant']).toBe('acme');
  });

  it('strips client-sent identity headers for identities without that part', async () => {
    await gateway.query(
      'web',
      { query: '{ getCustomer(id: "2") { id } }' },
      { 'x-api-key': TEST_API_KEY, 'x-loom-tenant': 'evil' },
    );
    const headers = backend.lastHeaders.get('getCustomer');
    expect(headers?.['x-loom-subject']).toBe('partner-7');
    expect(headers?.['x-loom-plan']).toBe('partner');
    expect(headers?.['x-loom-tenant']).toBeUndefined();
  });

  it('nulls a field the caller lacks the scope for and serves the rest of the stitched result', async () => {
    const { status, body } = await gateway.query(
      'web',
      { query: '{ getCustomer(id: "3") { id name email } }' },
      { 'x-api-key': TEST_API_KEY },
    );
    expect(status).toBe(200);
    expect(body.data).toEqual({ getCustomer: { id: '3', name: 'Customer 3', email: null } });
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]).toMatchObject({ path: ['getCustomer', 'email'], extensions: { code: 'FORBIDDEN' } });
    expect(backend.calls.count('getCustomer')).toBe(1);
  });
});
