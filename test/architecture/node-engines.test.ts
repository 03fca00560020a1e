import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/test-gateway';

type Version = [number, number, number];

const parse = (text: string): Version => {
  const [major = 0, minor = 0, patch = 0] = text.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : 0));
  return [major, minor, patch];
};
const atLeast = (a: Version, b: Version) => (a[0] !== b[0] ? a[0] > b[0] : a[1] !== b[1] ? a[1] > b[1] : a[2] >= b[2]);

/** Whether every Node version from `minimum` up satisfies `range` (only the open-ended `>=` alternatives can). */
function admitsEverythingFrom(range: string, minimum: Version): boolean {
  return range.split('||').some((alternative) => {
    const trimmed = alternative.trim();
    if (trimmed === '*' || trimmed === '') return true;
    const lower = /^>=?\s*v?(\d+(?:\.(?:\d+|x|\*)){0,2})$/.exec(trimmed)?.[1];
    return lower !== undefined && atLeast(minimum, parse(lower));
  });
}

describe('engines.node', () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { engines?: { node?: string } | string[]; dev?: boolean }>;
  };
  const minimum = parse(/^>=(\d+\.\d+\.\d+)$/.exec(pkg.engines.node)?.[1] ?? '0');

  it('is a plain lower bound, as in .nvmrc and the lock file', () => {
    expect(pkg.engines.node).toMatch(/^>=\d+\.\d+\.\d+$/);
    expect(readFileSync(join(REPO_ROOT, '.nvmrc'), 'utf8').trim()).toBe(pkg.engines.node.slice(2));
    // npm copies it into the lock: a mismatch makes `npm install` rewrite package-lock.json.
    expect((lock.packages[''] as { engines?: { node?: string } }).engines?.node).toBe(pkg.engines.node);
  });

  it('is what every locked runtime dependency accepts', () => {
    const refusing = Object.entries(lock.packages)
      .filter(([name, entry]) => name !== '' && !entry.dev)
      .map(([name, entry]) => [name, Array.isArray(entry.engines) ? undefined : entry.engines?.node] as const)
      .filter(([, range]) => range !== undefined && !admitsEverythingFrom(range, minimum));
    expect(refusing).toEqual([]);
  });
});
