import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); playwright-core downloads no browser. */
export const CHROMIUM = '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LoopbackBrowser {
  readonly context: BrowserContext;
  /** Every URL a page asked for that was not on 127.0.0.1 (each was aborted). */
  readonly offHost: string[];
  /** Console errors and uncaught page errors of every page. */
  readonly consoleErrors: string[];
  /** A new tab, watched like the others. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

function watchConsole(page: Page, errors: string[]): void {
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
}

/**
 * Headless Chromium that may reach 127.0.0.1 only: any other request is
 * aborted and recorded, and so is every console error, for the caller to
 * check. A fresh profile in a temporary folder, removed on close.
 */
export async function launchLoopbackBrowser(
  viewport: { width: number; height: number } = { width: 1280, height: 860 },
  deviceScaleFactor = 1,
): Promise<LoopbackBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (.ci/run does)`);
  const userDataDir = mkdtempSync(join(tmpdir(), 'loom-chromium-'));
  const offHost: string[] = [];
  const consoleErrors: string[] = [];
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport,
    deviceScaleFactor,
  });
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    offHost.push(url.href);
    return route.abort('blockedbyclient');
  });
  for (const page of context.pages()) watchConsole(page, consoleErrors);
  context.on('page', (page) => watchConsole(page, consoleErrors));
  return {
    context,
    offHost,
    consoleErrors,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
