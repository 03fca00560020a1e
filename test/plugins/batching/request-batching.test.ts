import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBffDefinition } from '../../../src/bff/load-bff-definition';
import { startItemsBackend } from '../../fixtures/ratelimit/items-backend';
import type { RunningBackend } from '../../../demo/http-backend';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway';

const getItem = (id: string) => ({ query: `{ getItem(id: "${id}") { id name } }` });

describe('request batching (JSON arrays), per BFF', () => {
  let backend: RunningBackend;
  let gateway: TestGateway;

  /** POSTs `body` as sent (an array, or anything hostile) and parses the answer. */
  async function post(bff: string, body: string) {
    const response = await gateway.fetch(`/${bff}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body,
    });
    return { status: response.status, body: await response.json() };
  }

  beforeAll(async () => {
    backend = await startItemsBackend();
    gateway = await startTestGateway({
      sources: [
        { name: 'items', kind: 'openapi', spec: './test/fixtures/ratelimit/items/openapi.yaml', endpoint: backend.url },
      ],
      bffs: {
        ...Object.fromEntries(
          ['batched', 'charged', 'hostile'].map((name) => [name, './test/plugins/batching/fixtures/bff-batching.ts']),
        ),
        single: './test/plugins/batching/fixtures/bff-no-batching.ts',
      },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await backend?.close();
  });
  beforeEach(() => backend.calls.reset());

  it('runs each operation of a batch on its own and answers in order', async () => {
    const answer = await post('batched', JSON.stringify([getItem('1'), getItem('2')]));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([
      { data: { getItem: { id: '1', name: 'Item 1' } } },
      { data: { getItem: { id: '2', name: 'Item 2' } } },
    ]);
    expect(backend.calls.count('getItem')).toBe(2);
  });

  it('refuses a batch over the maximum, naming it, before any upstream call', async () => {
    const answer = await post('batched', JSON.stringify(['1', '2', '3', '4'].map(getItem)));
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([
      {
        message: 'Batch of 4 operations exceeds the maximum of 3 on "batched"',
        extensions: { code: 'BATCH_LIMIT_EXCEEDED', limit: 3 },
      },
    ]);
    expect(backend.calls.count('getItem')).toBe(0);
  });

  it('prices and charges every operation apart: one over the cost limit or the budget fails alone', async () => {
    const answer = await post(
      'charged',
      JSON.stringify(
        [getItem('1'), { query: '{ listItems(limit: 30) { id } }' }, getItem('2'), getItem('3')].slice(0, 3),
      ),
    );
    expect(answer.status).toBe(200);
    expect(answer.body[0]).toEqual({ data: { getItem: { id: '1', name: 'Item 1' } } });
    expect(answer.body[1].errors[0].extensions).toEqual(expect.objectContaining({ code: 'COST_LIMIT_EXCEEDED' }));
    expect(answer.body[2]).toEqual({ data: { getItem: { id: '2', name: 'Item 2' } } });
    // Each getItem costs 3 of the budget of 9 (the refused one cost nothing): of the next two, the second is refused alone.
    const next = await post('charged', JSON.stringify([getItem('3'), getItem('4')]));
    expect(next.status).toBe(200);
    expect(next.body[0]).toEqual({ data: { getItem: { id: '3', name: 'Item 3' } } });
    expect(next.body[1].errors[0].extensions).toEqual(
      expect.objectContaining({ code: 'RATE_LIMITED', limit: 9, cost: 3, remaining: 0 }),
    );
    expect(backend.calls.count('getItem')).toBe(3);
    expect(backend.calls.count('listItems')).toBe(0);
  });

  it('is off by default: an array is refused with what to send instead', async () => {
    for (const size of [2, 50]) {
      const answer = await post('single', JSON.stringify(Array.from({ length: size }, () => getItem('1'))));
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([
        {
          message: 'Batching is off on "single": send one operation per request, not a JSON array',
          extensions: { code: 'BATCH_LIMIT_EXCEEDED', limit: 1 },
        },
      ]);
    }
    expect(backend.calls.count('getItem')).toBe(0);
  });

  it('refuses hostile arrays with 400 before any upstream call', async () => {
    for (const body of ['[]', '[1, 2]', '[[{"query": "{ __typename }"}]]', '[null]', '["{ __typename }"]']) {
      const answer = await post('hostile', body);
      expect([body, answer.status]).toEqual([body, 400]);
      expect(answer.body.errors?.[0].extensions?.code).toMatch(/^(BAD_REQUEST|BATCH_LIMIT_EXCEEDED)$/);
    }
    expect(backend.calls.count('getItem')).toBe(0);
  });
});

describe('the batching and websocket options in a BFF file', () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'loom-batching-'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it.each([
    [{ batching: { maxOperations: 0 } }, 'bff "bad": batching.maxOperations must be a positive integer, got 0'],
    [{ batching: { maxOperations: 2.5 } }, 'bff "bad": batching.maxOperations must be a positive integer, got 2.5'],
    [{ batching: { max: 3 } }, 'bff "bad": unknown key "batching.max" (known keys: maxOperations)'],
    [{ batching: true }, 'bff "bad": batching must be an object, got true'],
    [{ websocket: { keepAliveMs: -1 } }, 'bff "bad": websocket.keepAliveMs must be a positive integer, got -1'],
    [{ websocket: { maxConnection: 5 } }, 'bff "bad": unknown key "websocket.maxConnection"'],
    [{ websocket: true }, 'bff "bad": websocket'],
  ])('fails start-up on %j', (definition, message) => {
    const file = join(directory, `b${Math.random().toString(36).slice(2)}.js`);
    writeFileSync(file, `module.exports = ${JSON.stringify(definition)};`);
    expect(() => loadBffDefinition('bad', file)).toThrow(message);
  });
});
