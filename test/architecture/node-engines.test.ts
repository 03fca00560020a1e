import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { maxSatisfying, minVersion, subset, validRange } from 'semver';
import { REPO_ROOT } from '../helpers/test-gateway';

interface LockEntry {
  engines?: { node?: string } | string[];
  dev?: boolean;
}

describe('engines.node', () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    engines: { node: string };
    overrides?: Record<string, string>;
  };
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const runtimeRanges = Object.entries(lock.packages)
    .filter(([name, entry]) => name !== '' && !entry.dev)
    .map(([name, entry]) => [name, Array.isArray(entry.engines) ? undefined : entry.engines?.node] as const)
    .filter((pair): pair is readonly [string, string] => pair[1] !== undefined && validRange(pair[1]) !== null);

  it('is a valid range whose lowest version is .nvmrc, and the lock file has it too', () => {
    expect(validRange(pkg.engines.node)).not.toBeNull();
    expect(readFileSync(join(REPO_ROOT, '.nvmrc'), 'utf8').trim()).toBe(minVersion(pkg.engines.node)?.version);
    // npm copies it into the lock: a mismatch makes `npm install` rewrite package-lock.json.
    expect((lock.packages[''] as { engines?: { node?: string } }).engines?.node).toBe(pkg.engines.node);
  });

  it('admits only Node versions every locked runtime dependency accepts', () => {
    const refusing = runtimeRanges.filter(([, range]) => !subset(pkg.engines.node, range));
    expect(refusing).toEqual([]);
  });

  it('is no stricter than it must be: its lowest version is the highest minimum a locked dependency declares', () => {
    const minimums = runtimeRanges.map(([, range]) => minVersion(range)!.version);
    expect(minVersion(pkg.engines.node)?.version).toBe(maxSatisfying(minimums, '*'));
  });

  it('pins the @whatwg-node helpers to versions that declare Node 20 (their next versions want 22.15)', () => {
    expect(pkg.overrides).toMatchObject({
      '@whatwg-node/promise-helpers': '1.3.2',
      '@whatwg-node/disposablestack': '0.0.6',
    });
    const whatwg = Object.keys(lock.packages).filter((name) =>
      /node_modules\/@whatwg-node\/(promise-helpers|disposablestack)$/.test(name),
    );
    expect(whatwg).toEqual(['node_modules/@whatwg-node/disposablestack', 'node_modules/@whatwg-node/promise-helpers']);
  });
});
