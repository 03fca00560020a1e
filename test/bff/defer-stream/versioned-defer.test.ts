import type { RunningBackend } from '../../../demo/http-backend';
import { startCrmBackend } from '../../fixtures/versions/crm-backend';
import { REPO_ROOT, startTestGateway, type TestGateway } from '../../helpers/test-gateway';
import { assemble, multipartParts, readAll } from './defer-gateway';

/** @defer on a versioned BFF whose old version renames and computes fields (one more wrapped delegation). */
describe('@defer on a versioned BFF', () => {
  let backend: RunningBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    backend = await startCrmBackend();
    gateway = await startTestGateway(
      {
        sources: [
          { name: 'crm', kind: 'openapi', spec: './test/fixtures/versions/crm-openapi.yaml', endpoint: backend.url },
        ],
        bffs: { shop: './test/fixtures/bff/defer/versioned-shop.ts' },
      },
      REPO_ROOT,
      { socket: true, now: () => Date.parse('2026-03-01T00:00:00Z') },
    );
  }, 60_000);
  afterAll(async () => {
    await gateway?.close();
    await backend?.close();
  });
  beforeEach(() => backend.calls.reset());

  const parts = async (path: string, query: string) => {
    const response = await fetch(`${gateway.url}/${path}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed' },
      body: JSON.stringify({ query }),
    });
    expect(response.status).toBe(200);
    return readAll(await multipartParts(response));
  };

  it('v1: a renamed field and a computed one inside a deferred fragment, from one upstream call', async () => {
    const payloads = await parts('shop/v1', '{ getCustomer(id: "1") { id ... @defer { name label tier } } }');
    expect(payloads[0]).toEqual({ data: { getCustomer: { id: '1' } }, hasNext: true });
    expect(assemble(payloads)).toEqual({
      data: { getCustomer: { id: '1', name: 'Ada Lovelace', label: 'Ada Lovelace (gold)', tier: 'gold' } },
    });
    expect(backend.calls.snapshot()).toEqual({ getCustomer: 1 });
  });

  it('v1: @stream on a list with a version default for its size', async () => {
    const payloads = await parts('shop/v1', '{ listCustomers @stream(initialCount: 1) { id name } }');
    expect(assemble(payloads)).toEqual({
      data: {
        listCustomers: [
          { id: '1', name: 'Ada Lovelace' },
          { id: '2', name: 'Alan Turing' },
        ],
      },
    });
    expect(payloads.length).toBeGreaterThan(1);
  });

  it('v2: the current names', async () => {
    const payloads = await parts('shop/v2', '{ getCustomer(id: "2") { id ... @defer { fullName email } } }');
    expect(assemble(payloads)).toEqual({
      data: { getCustomer: { id: '2', fullName: 'Alan Turing', email: 'alan@example.com' } },
    });
  });
});
