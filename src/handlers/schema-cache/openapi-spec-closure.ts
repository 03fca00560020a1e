import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
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
    let document: unknown;
    try {
      bytes = readFileSync(file);
      document = parseYaml(bytes.toString('utf8'), { maxAliasCount: 10_000 });
    } catch {
      return undefined;
    }
    files.set(file, bytes);
    const refs = new Set<string>();
    collectExternalRefs(document, refs);
    for (const ref of refs) {
      if (isUrl(ref)) return undefined;
      pending.push(resolve(dirname(file), decodeURI(ref)));
    }
  }
  return files;
}
