import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Page } from 'playwright-core';
import { startCatalogBackend, type CatalogBackend } from '../../../demo/catalog-backend';
import { launchLoopbackBrowser, type LoopbackBrowser } from '../../../demo/headless-chromium';
import type { LoomConfig } from '../../../src/config/types';
import { startDemoIssuer, type DemoIssuerUnderTest } from '../../helpers/demo-token-issuer';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway';

/**
 * The Keys page in Debian's Chromium: a developer signs in with the web BFF's
 * own JWT, issues a key, uses it, sees the use, revokes it; two gateway
 * instances share one Redis (a prefix of this run's own). Every request the
 * page makes must go to 127.0.0.1, and no console error may appear.
 */
const ADMIN_TOKEN = 'browser-admin-token-0123456789abcdef-keys';
const LABEL = `<script>window.__pwned = 'label'</script> «ключ» 🔑 <img src=x onerror="window.__pwned='img'">`;
const QUERY = JSON.stringify({ query: '{ listProducts(limit: 2) { id } }' });
const PAGE_TIMEOUT_MS = 30_000;

jest.setTimeout(120_000);

describe('the Keys page in Chromium, two instances sharing Redis', () => {
  const keyPrefix = `test:keys-browser:${randomUUID()}:`;
  let backend: CatalogBackend;
  let issuer: DemoIssuerUnderTest;
  let first: TestGateway;
  let second: TestGateway;
  let browser: LoopbackBrowser;
  let redis: Redis;

  beforeAll(async () => {
    issuer = await startDemoIssuer();
    backend = await startCatalogBackend({ apiKey: 'keys-browser' });
    const config: Omit<LoomConfig, 'port'> = {
      sources: [
        {
          name: 'catalog',
          kind: 'openapi',
          spec: './sources/catalog/openapi.yaml',
          endpoint: backend.url,
          headers: { 'x-api-key': 'keys-browser' },
        },
      ],
      bffs: { web: './bff/web.ts' },
      redis: { url: 'redis://127.0.0.1:6379', keyPrefix },
      portal: { adminToken: ADMIN_TOKEN },
    };
    first = await startTestGateway(config, undefined, { socket: true });
    second = await startTestGateway(config, undefined, { socket: true });
    for (const gateway of [first, second])
      while (gateway.gateway.redis?.status !== 'ready')
        await new Promise((resolve) => gateway.gateway.redis?.once('ready', resolve));
    redis = new Redis('redis://127.0.0.1:6379');
    browser = await launchLoopbackBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await first?.close();
    await second?.close();
    await backend?.close();
    await issuer?.close();
    if (redis) {
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length) await redis.del(keys);
      redis.disconnect();
    }
  });

  afterEach(() => {
    expect(browser.offHost).toEqual([]);
    expect(browser.consoleErrors).toEqual([]);
  });

  const callWeb = (gateway: TestGateway, key: string) =>
    fetch(`${gateway.url}/web/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: QUERY,
    });

  async function signIn(page: Page, token: string): Promise<void> {
    page.setDefaultTimeout(PAGE_TIMEOUT_MS);
    const response = await page.goto(`${first.url}/_loom/portal/keys`);
    expect(response?.status()).toBe(200);
    await page.locator('#keys-bff').selectOption('web');
    await page.locator('#keys-token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#keys-panel').waitFor({ state: 'visible' });
  }

  it('issues a key that authenticates on both instances, shows its use, and is refused everywhere once revoked', async () => {
    const page = await browser.newPage();
    const { authorization } = await issuer.bearer({ sub: 'dev-browser' });
    await signIn(page, authorization.replace(/^Bearer /, ''));
    expect(await page.locator('#keys-who').innerText()).toBe('Signed in as jwt:dev-browser: your keys for web');

    await page.locator('#keys-plan').selectOption('pro');
    await page.locator('#keys-label').fill(LABEL);
    await page.getByRole('button', { name: 'Issue key' }).click();
    const shown = page.locator('#keys-new-key');
    await shown.waitFor({ state: 'visible' });
    const key = await shown.innerText();
    expect(key).toMatch(/^loom_[A-Za-z0-9_-]{43}$/);

    // The label is shown as typed, and none of it ran.
    const row = page.locator('#keys-rows tr');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    expect(await row.locator('.key-label').innerText()).toBe(LABEL);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
    expect(await page.locator('#keys-rows img').count()).toBe(0);

    // The key works at once, on this instance and on the other.
    expect((await callWeb(first, key)).status).toBe(200);
    expect((await callWeb(second, key)).status).toBe(200);

    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('#keys-rows .key-uses', { hasText: '2 requests' }).waitFor();
    expect(await row.locator('.key-usage').innerText()).toContain('/ 100000 per minute (user)');
    expect(await row.locator('.key-last-used').innerText()).not.toBe('never');

    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.locator('#keys-empty').waitFor({ state: 'visible' });
    for (const gateway of [first, second]) {
      const refused = await callWeb(gateway, key);
      expect(refused.status).toBe(401);
      expect(
        ((await refused.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code,
      ).toBe('UNAUTHENTICATED');
    }
    await page.close();
  });

  it('shows the admin every owner and refuses key actions without a credential, changing nothing', async () => {
    const page = await browser.newPage();
    await signIn(page, ADMIN_TOKEN);
    expect(await page.locator('#keys-who').innerText()).toBe('Signed in as admin: every key of web');
    await page.locator('#keys-owner-row').waitFor({ state: 'visible' });
    await page.locator('#keys-label').fill('ops dashboard');
    await page.locator('#keys-owner').fill('team checkout');
    await page.getByRole('button', { name: 'Issue key' }).click();
    await page.locator('#keys-rows tr', { hasText: 'team checkout' }).waitFor();

    const api = `${first.url}/_loom/portal/api/keys?bff=web`;
    const keysNow = async () =>
      (
        (await (await fetch(api, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as {
          keys: unknown[];
        }
      ).keys;
    const before = await keysNow();
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer not-the-admin-token' }]) {
      expect((await fetch(api, { headers })).status).toBe(401);
      const issue = await fetch(api, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ bff: 'web', label: 'sneaky' }),
      });
      expect(issue.status).toBe(401);
      const id = (before[0] as { id: string }).id;
      expect(
        (await fetch(`${first.url}/_loom/portal/api/keys/${id}?bff=web`, { method: 'DELETE', headers })).status,
      ).toBe(401);
    }
    expect(await keysNow()).toEqual(before);
    await page.close();
  });

  it('fits a phone: no horizontal scroll on the keys page', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 360, height: 740 });
    await signIn(page, ADMIN_TOKEN);
    const [scrollWidth, innerWidth] = await page.evaluate(() => [
      document.documentElement.scrollWidth,
      window.innerWidth,
    ]);
    expect(scrollWidth).toBe(innerWidth);
    await page.close();
  });
});
