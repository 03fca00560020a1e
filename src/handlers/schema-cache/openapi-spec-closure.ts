import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isUrl } from '../spec-location';

/** More files than any real spec splits into: past it, the spec is not cached (and a `$ref` loop cannot run away). */
const MAX_CLOSURE_FILES = 2_000;

function collectExternalRefs(node: unknown, refs: Set<string>): void {
  if (Array.isArray(node)) {
    for (const child of node) collectExternalRefs(child, refs);
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      const file = value.split('#')[0]!;
      if (file !== '') refs.add(file);
    } else collectExternalRefs(value, refs);
  }
}

/** Each `$ref` written out in the text, followed by a value that starts with `#` (a pointer into the same file). */
const REF_TEXT = /\$ref/g;
const LOCAL_REF_AFTER = /^["']?[ \t]*:[ \t]*["']?#/;

/**
 * True when the text alone shows the file names no other file: every `$ref`
 * in it is a key whose value starts with `#`, and nothing is escaped (a
 * backslash could spell a `$ref` key or value the text does not show).
 * Anything else (an external ref, an alias, a value on the next line, any
 * backslash) is left to the YAML parser. Spares loading and running it on
 * the usual single-file spec, whose closure is only itself.
 */
export function textHasOnlyLocalRefs(text: string): boolean {
  if (text.includes('\\')) return false;
  for (const match of text.matchAll(REF_TEXT))
    if (!LOCAL_REF_AFTER.test(text.slice(match.index + 4, match.index + 4 + 64))) return false;
  return true;
}

/** Parsed with the YAML parser, loaded on first use (a single-file spec never needs it here). */
function parseYaml(text: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('yaml') as typeof import('yaml')).parse(text, { maxAliasCount: 10_000 });
}

/**
 * Every file an OpenAPI spec is made of: the spec and, transitively, each file
 * a `$ref` names (`./schemas/user.yaml#/User`), with their bytes, for the
 * schema cache key. Undefined when the closure cannot be known from disk (a
 * URL spec or ref, an unreadable or unparsable file, too many files): such a
 * spec is not cached, and the loader reports any real fault as before.
 */
export function readOpenApiSpecClosure(spec: string): Map<string, Buffer> | undefined {
  if (isUrl(spec)) return undefined;
  const files = new Map<string, Buffer>();
  const pending = [resolve(spec)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    if (files.size >= MAX_CLOSURE_FILES) return undefined;
    let bytes: Buffer;
    const refs = new Set<string>();
    try {
      bytes = readFileSync(file);
      const text = bytes.toString('utf8');
      if (!textHasOnlyLocalRefs(text)) collectExternalRefs(parseYaml(text), refs);
    } catch {
      return undefined;
    }
    files.set(file, bytes);
    for (const ref of refs) {
      if (isUrl(ref)) return undefined;
      pending.push(resolve(dirname(file), decodeURI(ref)));
    }
  }
  return files;
}
