import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { loadConfig } from '../src/cli/load-config';
import { createGateway } from '../src/server/create-gateway';
import { listen } from '../src/server/create-http-server';
import { launchLoopbackBrowser } from './headless-chromium';
import { startDemoBackends } from './start-demo-backends';

/**
 * `npm run screenshots`: the demo (mesh.config.ts with every demo backend on
 * free ports, no Redis) served on 127.0.0.1:0, a few keys issued and used,
 * and Debian's Chromium saving the portal, the web BFF's schema reference,
 * the Keys page and GraphiQL to docs/screenshots/ (desktop and phone width).
 * Fails when a page asked for anything off 127.0.0.1 or logged an error.
 */
const OUT = resolve(__dirname, '../docs/screenshots');
/** Made up here; the screenshots never show it. */
const ADMIN_TOKEN = 'screenshot-admin-token-0123456789abcdef';

async function issue(base: string, body: object, authorization: string): Promise<string> {
  const response = await fetch(`${base}/_loom/portal/api/keys?bff=web`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`issue answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { key: string }).key;
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: resolve(OUT, `${name}.png`) });
  console.log(`docs/screenshots/${name}.png`);
}

async function main(): Promise<void> {
  const backends = await startDemoBackends({ issuer: 0 });
  Object.assign(process.env, {
    LOOM_CATALOG_URL: backends.catalog.url,
    LOOM_ORDERS_URL: backends.orders.url,
    LOOM_BILLING_URL: backends.billing.url,
    LOOM_DEMO_JWKS_URL: backends.issuer.jwksUrl,
  });
  delete process.env.LOOM_REDIS_URL;
  const config = loadConfig(resolve(__dirname, '../mesh.config.ts'));
  const gateway = await createGateway({ config: { ...config, portal: { adminToken: ADMIN_TOKEN } } });
  const server = await listen({ gateway }, 0);
  const browser = await launchLoopbackBrowser({ width: 1200, height: 800 });
  try {
    mkdirSync(OUT, { recursive: true });
    const token = await fetch(`${backends.issuer.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'ada' }),
    });
    const jwt = ((await token.json()) as { access_token: string }).access_token;
    const key = await issue(server.url, { bff: 'web', plan: 'pro', label: 'Checkout web app' }, `Bearer ${jwt}`);
    const staging = await issue(server.url, { bff: 'web', label: 'Staging <script> test ✓' }, `Bearer ${jwt}`);
    const spend = async (apiKey: string, calls: number) => {
      for (let call = 0; call < calls; call++)
        await fetch(`${server.url}/web/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
          body: JSON.stringify({ query: '{ listProducts(limit: 100) { id name } listCustomers { id name email } }' }),
        });
    };
    await spend(key, 3);

    const page = await browser.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(`${server.url}/`);
    await shoot(page, 'portal');
    await page.goto(`${server.url}/_loom/portal/bffs/web`);
    await page.locator('#schema-search').fill('customer');
    await page.locator('#search-count', { hasText: 'matching fields' }).waitFor();
    await shoot(page, 'bff-web');

    await page.goto(`${server.url}/_loom/portal/keys`);
    await page.locator('#keys-token').fill(jwt);
    // Spent just before the page reads it: the buckets refill continuously.
    await spend(staging, 8);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#keys-rows tr').nth(1).waitFor();
    await shoot(page, 'keys');

    await page.goto(`${server.url}/web/graphql`);
    await page.locator('.graphiql-container .monaco-editor').first().waitFor();
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.graphiql-response', { hasText: '"listProducts"' }).waitFor();
    await shoot(page, 'graphiql');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/`);
    await shoot(page, 'portal-phone');
    await page.goto(`${server.url}/_loom/portal/keys`);
    await page.locator('#keys-token').fill(jwt);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#keys-rows tr').nth(1).waitFor();
    await shoot(page, 'keys-phone');

    if (browser.offHost.length || browser.consoleErrors.length)
      throw new Error(
        `off-host requests ${JSON.stringify(browser.offHost)}, console errors ${JSON.stringify(browser.consoleErrors)}`,
      );
  } finally {
    await browser.close();
    await server.close();
    await gateway.close();
    await backends.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
