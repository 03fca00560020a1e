import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startCatalogBackend, type CatalogBackend } from '../../../demo/catalog-backend';
import type { LoomConfig } from '../../../src/config/types';
import { createGateway, createGatewayMemoryState } from '../../../src/server/create-gateway';
import { validateConfig } from '../../../src/config/validate-config';
import { renderReloadStatus } from '../../../src/server/portal/render-portal';
import { startDemoIssuer, type DemoIssuerUnderTest } from '../../helpers/demo-token-issuer';
import { REPO_ROOT, startTestGateway, type TestGateway } from '../../helpers/test-gateway';

/** Made up for the tests; 32+ characters as the config requires. */
const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef-portal';
const API = '/_loom/portal/api/keys';
const LIST_QUERY = { query: '{ listProducts(limit: 2) { id } }' };

jest.setTimeout(60_000);

function config(catalogUrl: string, extra: Partial<LoomConfig> = {}): Omit<LoomConfig, 'port'> {
  return {
    sources: [
      {
        name: 'catalog',
        kind: 'openapi',
        spec: './sources/catalog/openapi.yaml',
        endpoint: catalogUrl,
        headers: { 'x-api-key': 'portal-keys-test' },
      },
    ],
    bffs: { web: './bff/web.ts', iot: './bff/iot.ts' },
    portal: { adminToken: ADMIN_TOKEN },
    ...extra,
  };
}

/** Until the gateway's Redis connection is up (commands before it fail: no offline queue). */
async function waitForRedis(gateway: TestGateway): Promise<void> {
  while (gateway.gateway.redis?.status !== 'ready')
    await new Promise((resolve) => gateway.gateway.redis?.once('ready', resolve));
}

let backend: CatalogBackend;
let issuer: DemoIssuerUnderTest;

beforeAll(async () => {
  issuer = await startDemoIssuer();
  backend = await startCatalogBackend({ apiKey: 'portal-keys-test' });
});
afterAll(async () => {
  await backend?.close();
  await issuer?.close();
});

type Caller = Record<string, string>;
const admin: Caller = { authorization: `Bearer ${ADMIN_TOKEN}` };

function keyApi(gateway: TestGateway) {
  return {
    list: (who: Caller, bff = 'web') => gateway.fetch(`${API}?bff=${bff}`, { headers: who }),
    issue: (
      who: Caller,
      body: unknown,
      init: { raw?: string | Uint8Array<ArrayBuffer>; type?: string; bff?: string } = {},
    ) =>
      gateway.fetch(`${API}?bff=${init.bff ?? 'web'}`, {
        method: 'POST',
        headers: { 'content-type': init.type ?? 'application/json', ...who },
        body: init.raw ?? JSON.stringify(body),
      }),
    revoke: (who: Caller, id: string) => gateway.fetch(`${API}/${id}?bff=web`, { method: 'DELETE', headers: who }),
  };
}

describe('portal keys, in memory', () => {
  let gateway: TestGateway;
  let api: ReturnType<typeof keyApi>;
  beforeAll(async () => {
    gateway = await startTestGateway(config(backend.url));
    api = keyApi(gateway);
  });
  afterAll(() => gateway?.close());

  it('lets a developer signed in with the BFF JWT issue a key that authenticates, shows usage, and revoke it', async () => {
    const developer = await issuer.bearer({ sub: 'dev-1' });
    const issued = await api.issue(developer, { bff: 'web', plan: 'pro', label: 'checkout app' });
    expect(issued.status).toBe(201);
    const { key, record } = (await issued.json()) as { key: string; record: { id: string; owner: string } };
    expect(record).toMatchObject({ owner: 'jwt:dev-1', plan: 'pro', label: 'checkout app' });
    expect((record as unknown as { usage: Array<{ used: number }> }).usage.map((entry) => entry.used)).toEqual([0, 0]);

    const answer = await gateway.query('web', LIST_QUERY, { 'x-api-key': key });
    expect(answer.status).toBe(200);
    expect(answer.body.data?.listProducts).toHaveLength(2);
    // The pro plan's budget, from the rate limiter's own bucket.
    expect(answer.headers.get('ratelimit-limit')).toBe('100000');

    const listed = (await (await api.list(developer)).json()) as {
      caller: unknown;
      plans: string[];
      keys: Array<{
        id: string;
        lastUsedAt?: string;
        uses: number;
        usage: Array<{ rule: string; budget: number; used: number }>;
      }>;
    };
    expect(listed.caller).toEqual({ admin: false, owner: 'jwt:dev-1' });
    expect(listed.plans).toEqual(['default', 'pro']);
    expect(listed.keys).toHaveLength(1);
    expect(listed.keys[0].lastUsedAt).toEqual(expect.any(String));
    const user = listed.keys[0].usage.find((entry) => entry.rule === 'user');
    expect(user?.budget).toBe(100_000);
    // Spent units refill continuously (token bucket): only the count of requests is exact.
    expect(user?.used).toBeGreaterThanOrEqual(0);
    expect(listed.keys[0].uses).toBe(1);

    // Another developer neither sees nor revokes it.
    const other = await issuer.bearer({ sub: 'dev-2' });
    expect(((await (await api.list(other)).json()) as { keys: unknown[] }).keys).toEqual([]);
    expect((await api.revoke(other, record.id)).status).toBe(404);
    expect((await gateway.query('web', LIST_QUERY, { 'x-api-key': key })).status).toBe(200);

    expect((await api.revoke(developer, record.id)).status).toBe(204);
    const refused = await gateway.query('web', LIST_QUERY, { 'x-api-key': key });
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses key administration without a credential, and changes nothing', async () => {
    const before = await (await api.list(admin)).json();
    for (const who of [
      {} as Caller,
      { authorization: 'Bearer wrong-token' },
      { authorization: 'Basic YWRtaW46YWRtaW4=' },
    ]) {
      expect((await api.list(who)).status).toBe(401);
      const issue = await api.issue(who, { bff: 'web', label: 'x' });
      expect(issue.status).toBe(401);
      expect(issue.headers.get('www-authenticate')).toBe('Bearer');
      expect((await api.revoke(who, 'key_AAAAAAAAAAAAAAAA')).status).toBe(401);
    }
    // A key cannot mint keys: only a signed-in user (JWT) or the admin can.
    const developer = await issuer.bearer({ sub: 'dev-3' });
    const { key } = (await (await api.issue(developer, { bff: 'web', label: 'mine' })).json()) as { key: string };
    expect((await api.list({ authorization: `Bearer ${key}` })).status).toBe(401);
    expect((await api.list({ 'x-api-key': key })).status).toBe(401);
    // A developer may not issue for someone else.
    expect((await api.issue(developer, { bff: 'web', label: 'x', owner: 'jwt:victim' })).status).toBe(403);
    const after = (await (await api.list(admin)).json()) as { keys: unknown[] };
    expect(after.keys.length).toBe((before as { keys: unknown[] }).keys.length + 1);
  });

  it('refuses hostile bodies with a status and a code, and keeps markup in labels as data', async () => {
    const cases: Array<[string, Parameters<typeof api.issue>, number, string]> = [
      ['bad plan', [admin, { bff: 'web', plan: 'platinum', label: 'x' }], 400, 'BAD_REQUEST'],
      ['plan with markup', [admin, { bff: 'web', plan: '<b>pro</b>', label: 'x' }], 400, 'BAD_REQUEST'],
      ['huge label', [admin, { bff: 'web', label: 'x'.repeat(101) }], 400, 'BAD_REQUEST'],
      ['empty label', [admin, { bff: 'web', label: '   ' }], 400, 'BAD_REQUEST'],
      ['control characters', [admin, { bff: 'web', label: 'a\u0000b' }], 400, 'BAD_REQUEST'],
      ['label not a string', [admin, { bff: 'web', label: { $gt: '' } }], 400, 'BAD_REQUEST'],
      ['unknown field', [admin, { bff: 'web', label: 'x', scopes: ['admin'] }], 400, 'BAD_REQUEST'],
      ['array body', [admin, [{ bff: 'web', label: 'x' }]], 400, 'BAD_REQUEST'],
      ['malformed JSON', [admin, null, { raw: '{"bff": "web", "label": ' }], 400, 'BAD_REQUEST'],
      [
        'not UTF-8',
        [
          admin,
          null,
          { raw: new Uint8Array([...Buffer.from('{"bff":"web","label":"'), 0xff, 0xfe, ...Buffer.from('"}')]) },
        ],
        400,
        'BAD_REQUEST',
      ],
      [
        'form body',
        [admin, null, { raw: 'bff=web&label=x', type: 'application/x-www-form-urlencoded' }],
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      ['oversized body', [admin, { bff: 'web', label: 'x', pad: 'y'.repeat(10_000) }], 413, 'PAYLOAD_TOO_LARGE'],
      ['other BFF in body', [admin, { bff: 'iot', label: 'x' }], 400, 'BAD_REQUEST'],
      ['BFF without portal keys', [admin, { bff: 'iot', label: 'x' }, { bff: 'iot' }], 404, 'NOT_FOUND'],
      ['unknown BFF', [admin, { bff: '__proto__', label: 'x' }, { bff: '__proto__' }], 404, 'NOT_FOUND'],
    ];
    const before = ((await (await api.list(admin)).json()) as { keys: unknown[] }).keys.length;
    for (const [name, args, status, code] of cases) {
      const response = await api.issue(...args);
      const body = (await response.json()) as { error?: { code: string } };
      expect({ name, status: response.status, code: body.error?.code }).toEqual({ name, status, code });
    }
    expect(((await (await api.list(admin)).json()) as { keys: unknown[] }).keys.length).toBe(before);

    const label = '<script>window.__pwned=1</script> «ключ» 🔑';
    const issued = await api.issue(admin, { bff: 'web', label, owner: 'team <b>checkout</b>' });
    expect(issued.status).toBe(201);
    expect(issued.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(((await issued.json()) as { record: { label: string; owner: string } }).record).toMatchObject({
      label,
      owner: 'team <b>checkout</b>',
    });
    // The page carries no label: the script fills the table as text.
    const page = await (await gateway.fetch('/_loom/portal/keys')).text();
    expect(page).not.toContain('<script>window.__pwned');
    expect(page).toMatch(/<script src="\/_loom\/portal\/keys\.[0-9a-f]{10}\.js" defer><\/script>/);
  });

  it('answers a bad key id or method with 404 or 405', async () => {
    expect((await api.revoke(admin, '..%2F..%2Fetc')).status).toBe(404);
    expect((await api.revoke(admin, 'key_AAAAAAAAAAAAAAAA')).status).toBe(404);
    expect((await gateway.fetch(`${API}?bff=web`, { method: 'PUT', headers: admin })).status).toBe(405);
    expect((await gateway.fetch(`${API}/key_AAAAAAAAAAAAAAAA?bff=web`, { headers: admin })).status).toBe(405);
  });
});

describe('portal keys with an admin port', () => {
  it('takes the admin token on the admin port only; the client port answers 403 and changes nothing', async () => {
    const gateway = await startTestGateway(config(backend.url, { admin: { port: 0 } }));
    try {
      const api = keyApi(gateway);
      expect((await api.issue(admin, { bff: 'web', label: 'x' })).status).toBe(403);
      expect((await api.list(admin)).status).toBe(403);
      const onAdminPort = await gateway.gateway.adminFetch(
        new Request(`http://loom.in-process${API}?bff=web`, { headers: admin }),
      );
      expect(onAdminPort.status).toBe(200);
      expect(((await onAdminPort.json()) as { keys: unknown[] }).keys).toEqual([]);
      // Developers still sign in on the client port with the BFF's JWT.
      expect((await api.list(await issuer.bearer({ sub: 'dev-4' }))).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});

describe('portal keys shared through Redis by two instances', () => {
  it('a key issued on one instance works on the other, and a revoke is refused on both at once', async () => {
    const keyPrefix = `test:portal:${randomUUID()}:`;
    const shared = config(backend.url, { redis: { url: 'redis://127.0.0.1:6379', keyPrefix } });
    const first = await startTestGateway(shared);
    const second = await startTestGateway(shared);
    const redis = new Redis('redis://127.0.0.1:6379');
    try {
      await waitForRedis(first);
      await waitForRedis(second);
      const { key, record } = (await (await keyApi(first).issue(admin, { bff: 'web', label: 'shared' })).json()) as {
        key: string;
        record: { id: string };
      };
      expect((await second.query('web', LIST_QUERY, { 'x-api-key': key })).status).toBe(200);
      // The usage the second instance charged shows on the first.
      const listed = (await (await keyApi(first).list(admin)).json()) as {
        keys: Array<{ uses: number; usage: Array<{ rule: string; budget: number }> }>;
      };
      expect(listed.keys[0].uses).toBe(1);
      expect(listed.keys[0].usage.find((entry) => entry.rule === 'user')?.budget).toBe(20_000);
      expect((await keyApi(second).revoke(admin, record.id)).status).toBe(204);
      for (const gateway of [first, second]) {
        const answer = await gateway.query('web', LIST_QUERY, { 'x-api-key': key });
        expect(answer.status).toBe(401);
        expect(answer.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      }
    } finally {
      await first.close();
      await second.close();
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length) await redis.del(keys);
      redis.disconnect();
    }
  });
});

describe('portal keys in memory across a reload', () => {
  it('keeps issued keys and revokes in the memory state every generation shares', async () => {
    const memoryState = createGatewayMemoryState();
    const resolved = validateConfig({ ...config(backend.url), port: 0 }, '<test>', REPO_ROOT);
    const before = await createGateway({ config: resolved, memoryState });
    const after = await createGateway({ config: resolved, memoryState });
    const call = (gateway: typeof before, init: RequestInit & { path?: string }) =>
      gateway.fetch(new Request(`http://loom.in-process${init.path ?? `${API}?bff=web`}`, init));
    try {
      const issued = await call(before, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...admin },
        body: JSON.stringify({ bff: 'web', label: 'survives reloads' }),
      });
      const { key, record } = (await issued.json()) as { key: string; record: { id: string } };
      const query = {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify(LIST_QUERY),
        path: '/web/graphql',
      };
      expect((await call(after, query)).status).toBe(200);
      expect(
        (await call(before, { method: 'DELETE', headers: admin, path: `${API}/${record.id}?bff=web` })).status,
      ).toBe(204);
      expect((await call(after, query)).status).toBe(401);
    } finally {
      await before.close();
      await after.close();
    }
  });
});

describe('portal config', () => {
  it('refuses a short admin token and a key prefix with odd characters, naming the field', () => {
    const check = (extra: Partial<LoomConfig>) => () =>
      validateConfig({ ...config('http://127.0.0.1:9'), ...extra, port: 0 }, 'mesh.config.ts', REPO_ROOT);
    expect(check({ portal: { adminToken: 'short' } })).toThrow(/portal\.adminToken.*at least 32 characters/);
    expect(check({ portal: { adminToken: 'x'.repeat(32), extra: 1 } as never })).toThrow(/portal/);
    expect(check({ redis: { url: 'redis://127.0.0.1:6379', keyPrefix: 'has space' } })).toThrow(/redis\.keyPrefix/);
    expect(check({})().portal).toEqual({ adminToken: ADMIN_TOKEN });
  });
});

describe('last reload on the portal', () => {
  it('shows the reload state, and a failed reload as text', async () => {
    expect(renderReloadStatus({ generation: 1, reloading: false })).toContain('none since start (generation 1)');
    expect(
      renderReloadStatus({
        generation: 3,
        reloading: false,
        lastReloadAt: '2026-11-30T01:02:03.456Z',
        lastReloadOk: true,
      }),
    ).toContain('Last reload at 2026-11-30 01:02:03Z succeeded (generation 3)');
    expect(
      renderReloadStatus({
        generation: 3,
        reloading: false,
        lastReloadAt: '2026-11-30T01:02:03.456Z',
        lastReloadOk: false,
        lastReloadError: 'source "<x>" failed',
      }),
    ).toContain('failed: source &quot;&lt;x&gt;&quot; failed; still serving generation 3');
    const gateway = await createGateway({
      config: validateConfig({ ...config(backend.url), port: 0 }, '<test>', REPO_ROOT),
      reloadStatus: () => ({
        generation: 2,
        reloading: false,
        lastReloadAt: '2026-11-30T00:00:00.000Z',
        lastReloadOk: true,
      }),
    });
    try {
      const page = await (await gateway.fetch(new Request('http://loom.in-process/'))).text();
      expect(page).toContain(
        '<p class="ok" id="last-reload">Last reload at 2026-11-30 00:00:00Z succeeded (generation 2).</p>',
      );
    } finally {
      await gateway.close();
    }
  });
});
