import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * bench/RESULTS.md holds `npm run bench`'s report, then sections that other
 * benchmarks own, each between `<!-- section:<name> -->` and
 * `<!-- /section:<name> -->`. Each writer replaces only its own part.
 */
const SECTION = /<!-- section:([\w-]+) -->[\s\S]*?<!-- \/section:\1 -->\n?/g;

/** The owned sections of `file`, as they stand (to carry over a rewrite of the main report). */
export function ownedSections(file: string): string {
  if (!existsSync(file)) return '';
  return [...readFileSync(file, 'utf8').matchAll(SECTION)].map((match) => match[0]).join('');
}

/** Writes `body` as the section `name` of `file`, in its place or at the end. */
export function writeSection(file: string, name: string, body: string): void {
  const section = `<!-- section:${name} -->\n${body.trimEnd()}\n<!-- /section:${name} -->\n`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const pattern = new RegExp(`<!-- section:${name} -->[\\s\\S]*?<!-- /section:${name} -->\\n?`);
  writeFileSync(file, pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}`);
}
