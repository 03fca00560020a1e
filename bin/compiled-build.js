// Chooses what `loom` runs: the compiled JavaScript in dist/ (`npm run build`)
// when it is at least as new as every file under src/, else the TypeScript
// sources through tsx. Plain CommonJS so it runs before any hook is installed.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

const ROOT = path.resolve(__dirname, '..');
const SRC = path.join(ROOT, 'src');
const DIST = path.join(ROOT, 'dist');
/** The compiled CLI under a package root. */
const compiledEntry = (root) => path.join(root, 'dist', 'cli', 'main.js');
const COMPILED_ENTRY = compiledEntry(ROOT);

/** Newest mtime (ms) of the files under a folder, 0 when it does not exist (an installed package ships no src/). */
function newestMtimeMs(folder) {
  let entries;
  try {
    entries = fs.readdirSync(folder, { recursive: true, withFileTypes: true });
  } catch {
    return 0;
  }
  let newest = 0;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const mtimeMs = fs.statSync(path.join(entry.parentPath ?? entry.path, entry.name)).mtimeMs;
    if (mtimeMs > newest) newest = mtimeMs;
  }
  return newest;
}

/**
 * 'compiled', 'tsx', or 'stale' (dist exists but a source is newer: tsx runs,
 * and the caller says so). LOOM_RUN_TS=1 forces tsx (development, benchmarks).
 */
function chooseBuild({ env = process.env, root = ROOT } = {}) {
  if (env.LOOM_RUN_TS === '1') return 'tsx';
  let builtMs;
  try {
    builtMs = fs.statSync(compiledEntry(root)).mtimeMs;
  } catch {
    return 'tsx';
  }
  return newestMtimeMs(path.join(root, 'src')) > builtMs ? 'stale' : 'compiled';
}

/**
 * In a compiled run, a TypeScript config or BFF file of this repository that
 * imports `../src/...` gets the compiled module from dist/ instead of a second
 * copy of the sources through tsx (twice the start-up work, and two module
 * instances of the same plugin). Files outside src/, and anything dist/ lacks,
 * resolve as usual.
 */
function redirectSourcesToDist() {
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function resolveToDist(request, parent, isMain, options) {
    const resolved = resolveFilename.call(this, request, parent, isMain, options);
    if (!resolved.startsWith(SRC + path.sep) || !resolved.endsWith('.ts')) return resolved;
    const compiled = path.join(DIST, path.relative(SRC, resolved)).replace(/\.ts$/, '.js');
    return fs.existsSync(compiled) ? compiled : resolved;
  };
}

module.exports = { chooseBuild, redirectSourcesToDist, COMPILED_ENTRY, ROOT };
