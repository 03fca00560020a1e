import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchLoopbackBrowser, type LoopbackBrowser } from '../../../demo/headless-chromium';
import { startCatalogBackend, type CatalogBackend } from '../../../demo/catalog-backend';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway';

/**
 * The portal and GraphiQL in a real browser: Debian's Chromium driven by
 * playwright-core (no browser download), one launch for the file. Every
 * request the pages make is intercepted: anything not for 127.0.0.1 fails the
 * test. LOOM_SCREENSHOT_DIR=<dir> saves a PNG of each page (never committed).
 */
const PAGE_TIMEOUT_MS = 30_000;

jest.setTimeout(120_000);

describe('the portal and GraphiQL in Chromium', () => {
  let backend: CatalogBackend;
  let gateway: TestGateway;
  let browser: LoopbackBrowser;

  beforeAll(async () => {
    backend = await startCatalogBackend({ apiKey: 'browser-test-key' });
    gateway = await startTestGateway(
      {
        sources: [
          {
            name: 'catalog',
            kind: 'openapi',
            spec: './sources/catalog/openapi.yaml',
            endpoint: backend.url,
            headers: { 'x-api-key': 'browser-test-key' },
          },
          // Descriptions and a deprecation reason full of markup: the portal must show them as text.
          {
            name: 'widgets',
            kind: 'graphql',
            sdl: './test/fixtures/portal/hostile.graphql',
            endpoint: 'http://127.0.0.1:9/graphql',
          },
        ],
        bffs: { web: './bff/web.ts', iot: './bff/iot.ts' },
      },
      undefined,
      { socket: true },
    );
    browser = await launchLoopbackBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await backend?.close();
  });

  afterEach(() => {
    expect(browser.offHost).toEqual([]);
    expect(browser.consoleErrors).toEqual([]);
  });

  async function open(path: string): Promise<Page> {
    const page = browser.context.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(PAGE_TIMEOUT_MS);
    const response = await page.goto(`${gateway.url}${path}`);
    expect(response?.status()).toBe(200);
    return page;
  }

  it('runs the default query of web in GraphiQL, every asset from Loom', async () => {
    const page = await open('/web/graphql');
    expect(await page.title()).toBe('web · GraphiQL · Loom');
    await page.locator('.graphiql-container .monaco-editor').first().waitFor();
    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.graphiql-response', { hasText: '"listProducts"' });
    await response.waitFor();
    expect(await response.innerText()).toContain('"currency"');
    await screenshot(page, 'graphiql-web');
  });

  it('lists the BFFs on the portal and finds a field with the schema search', async () => {
    const portal = await open('/');
    expect(await portal.locator('h1').innerText()).toBe('Loom developer portal');
    expect(await portal.locator('article.bff h3').allInnerTexts()).toEqual(['web', 'iot']);
    await screenshot(portal, 'portal');

    const reference = await open('/_loom/portal/bffs/web');
    const tier = reference.locator('[data-field]', { hasText: 'tier' }).first();
    await reference.locator('#schema-search').fill('customer tier');
    await reference.locator('#search-count', { hasText: 'matching fields' }).waitFor();
    expect(await tier.isVisible()).toBe(true);
    expect(await reference.locator('#type-Product').isVisible()).toBe(false);
    await screenshot(reference, 'schema-search');

    // A root field's "open in GraphiQL" link opens GraphiQL with that field's query.
    await reference.locator('#schema-search').fill('getCustomer');
    await reference.locator('[data-field]', { hasText: 'getCustomer' }).getByText('open in GraphiQL').click();
    await reference.waitForURL(/\/web\/graphql\?query=/);
    await reference.locator('.graphiql-query-editor', { hasText: 'getCustomer(id: $id)' }).waitFor();
  });

  it('shows markup from a spec as text and runs none of it', async () => {
    const page = await open('/_loom/portal/bffs/web');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
    expect(await page.locator('#type-Widget').innerText()).toContain(
      "<script>window.__pwned = 'field description'</script>",
    );
    expect(await page.locator('script').count()).toBe(1);
  });

  it('shows the operations of the persisted-only iot BFF instead of an error', async () => {
    const page = await open('/iot/graphql');
    expect(await page.locator('h2').innerText()).toBe('The operations this BFF accepts (3)');
    expect(await page.locator('.operation h3').allInnerTexts()).toEqual([
      'ProductPrice',
      'ProductPrices',
      'ProductsByTag',
    ]);
    await screenshot(page, 'iot');
  });

  it('has no horizontal scroll on a phone', async () => {
    const page = await open('/');
    await page.setViewportSize({ width: 360, height: 740 });
    for (const path of ['/', '/_loom/portal/bffs/web', '/iot/graphql']) {
      await page.goto(`${gateway.url}${path}`);
      const [scrollWidth, innerWidth] = await page.evaluate(() => [
        document.documentElement.scrollWidth,
        window.innerWidth,
      ]);
      expect({ path, scrollWidth }).toEqual({ path, scrollWidth: innerWidth });
      await screenshot(page, `phone${path.replace(/\W+/g, '-')}`);
    }
  });
});

async function screenshot(page: Page, name: string): Promise<void> {
  const directory = process.env.LOOM_SCREENSHOT_DIR;
  if (directory) await page.screenshot({ path: join(directory, `${name}.png`), fullPage: true });
}
