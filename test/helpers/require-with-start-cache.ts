import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './test-gateway';

const run = promisify(execFile);

export interface StartCacheOutcome {
  value?: unknown;
  error?: string;
  /** The cache's own count; absent when it is off. */
  stats?: { hits: number; misses: number };
}

export interface StartCacheRun {
  /** The bin/ module and its register function, e.g. `compile-cache.js` and `registerCompileCache`. */
  cacheModule: string;
  register: string;
  /** The project root the cache serves. */
  root: string;
  /** LOOM_COMPILE_CACHE for the run (both caches keep their files there). */
  cacheDir: string;
}

/**
 * Requires `file` in a node process of its own with one of the start-up
 * caches installed (they patch the module loader), and returns its export
 * (awaited) or its error, with the cache's hits and misses. The process exits
 * after loading, which saves the cache.
 */
export async function requireWithStartCache(
  { cacheModule, register, root, cacheDir }: StartCacheRun,
  file: string,
  env: Record<string, string> = {},
  flags: string[] = [],
): Promise<StartCacheOutcome> {
  const script = `
    const cache = require(${JSON.stringify(join(REPO_ROOT, 'bin', cacheModule))}).${register}({ root: ${JSON.stringify(root)} });
    Promise.resolve()
      .then(() => require(${JSON.stringify(file)}))
      .then((value) => ({ value }), (error) => ({ error: error.message }))
      .then((outcome) => process.stdout.write(JSON.stringify({ ...outcome, stats: cache && cache.stats })));`;
  const { stdout } = await run(process.execPath, [...flags, '-e', script], {
    env: { ...process.env, LOOM_COMPILE_CACHE: cacheDir, ...env },
  });
  return JSON.parse(stdout) as StartCacheOutcome;
}
