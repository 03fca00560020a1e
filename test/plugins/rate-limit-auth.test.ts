import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { RunningBackend } from '../../demo/http-backend';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway';
import { startItemsBackend } from '../fixtures/ratelimit/items-backend';

// Secrets for this run only; the BFF fixtures read them from the environment.
const secret = randomBytes(32).toString('hex');
const deviceKey = randomBytes(24).toString('hex');
process.env.LOOM_TEST_RL_JWT_SECRET = secret;
process.env.LOOM_TEST_RL_API_KEY = deviceKey;

const bearer = async (sub: string, plan?: string) => ({
  authorization: `Bearer ${await new SignJWT({ ...(plan && { plan }) }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('10m').sign(new TextEncoder().encode(secret))}`,
});

// 1 + 2 fields = 3 units.
const GET_ITEM = { query: '{ getItem(id: "1") { id name } }' };

describe('rate limit and cache keyed on the identity the real auth policy sets', () => {
  let backend: RunningBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    backend = await startItemsBackend();
    gateway = await startTestGateway(
      {
        sources: [
          {
            name: 'items',
            kind: 'openapi',
            spec: './test/fixtures/ratelimit/items/openapi.yaml',
            endpoint: backend.url,
          },
        ],
        bffs: {
          limited: './test/fixtures/ratelimit/bff-auth-limited.ts',
          cached: './test/fixtures/ratelimit/bff-auth-cached.ts',
        },
      },
      undefined,
      { socket: true },
    ); // anonymous callers are metered by the socket peer's address
  });
  afterAll(async () => {
    await gateway?.close();
    await backend?.close();
  });
  beforeEach(() => backend.calls.reset());

  const statuses = async (bff: string, headers: Record<string, string>, count: number) => {
    const result: number[] = [];
    for (let i = 0; i < count; i += 1) result.push((await gateway.query(bff, GET_ITEM, headers)).status);
    return result;
  };

  it('gives each JWT subject its budget, by plan claim', async () => {
    expect(await statuses('limited', await bearer('alice', 'free'), 3)).toEqual([200, 200, 429]);
    expect(await statuses('limited', await bearer('bob', 'pro'), 5)).toEqual([200, 200, 200, 200, 429]);
    expect(backend.calls.count('getItem')).toBe(6);
  });

  it('gives an API key the budget of its plan, apart from JWT users', async () => {
    const carol = await bearer('carol', 'free');
    expect(await statuses('limited', carol, 2)).toEqual([200, 200]);
    const refused = await gateway.query('limited', GET_ITEM, carol);
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', rule: 'user', limit: 6 });
    const device = { 'x-api-key': deviceKey };
    expect(await statuses('limited', device, 5)).toEqual([200, 200, 200, 200, 429]);
  });

  it('meters anonymous callers by their address under the user rule too', async () => {
    // 127.0.0.1's user-rule bucket (6 units) is apart from every subject's, and from the ip rule's (1000).
    expect(await statuses('limited', {}, 3)).toEqual([200, 200, 429]);
    const refused = await gateway.query('limited', GET_ITEM);
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', rule: 'user', limit: 6 });
    expect((await gateway.query('limited', GET_ITEM, await bearer('dave'))).status).toBe(200);
    expect(backend.calls.count('getItem')).toBe(3);
  });

  it('an unauthenticated rejection happens before the limiter and costs nothing', async () => {
    const bad = await gateway.query('limited', GET_ITEM, { authorization: 'Bearer not.a.jwt' });
    expect(bad.status).toBe(401);
    expect(bad.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(backend.calls.count('getItem')).toBe(0);
  });

  it('never serves one subject the private entry of another; API keys get their own', async () => {
    const alice = await bearer('alice');
    const bob = await bearer('bob');
    expect((await gateway.query('cached', GET_ITEM, alice)).headers.get('x-loom-cache')).toBe('MISS');
    expect((await gateway.query('cached', GET_ITEM, alice)).headers.get('x-loom-cache')).toBe('HIT');
    expect((await gateway.query('cached', GET_ITEM, bob)).headers.get('x-loom-cache')).toBe('MISS');
    expect((await gateway.query('cached', GET_ITEM, { 'x-api-key': deviceKey })).headers.get('x-loom-cache')).toBe(
      'MISS',
    );
    expect((await gateway.query('cached', GET_ITEM)).headers.get('x-loom-cache')).toBeNull();
    expect(backend.calls.count('getItem')).toBe(4);
    // A public query is shared by everyone.
    expect((await gateway.query('cached', { query: '{ listItems { id } }' }, alice)).headers.get('x-loom-cache')).toBe(
      'MISS',
    );
    expect((await gateway.query('cached', { query: '{ listItems { id } }' }, bob)).headers.get('x-loom-cache')).toBe(
      'HIT',
    );
    expect((await gateway.query('cached', { query: '{ listItems { id } }' })).headers.get('x-loom-cache')).toBe('HIT');
  });
});
