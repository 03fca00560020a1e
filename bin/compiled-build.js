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

/** dist/ file for a path under src/ (`../src/config`, `../src/bff/define-bff.ts`), or undefined. */
function compiledFileFor(target) {
  const relative = path.relative(SRC, target).replace(/\.(ts|js)$/, '');
  for (const candidate of [`${relative}.js`, path.join(relative, 'index.js')]) {
    const compiled = path.join(DIST, candidate);
    if (fs.existsSync(compiled)) return compiled;
  }
  return undefined;
}

/**
 * In a compiled run, a TypeScript config or BFF file of this repository that
 * imports `../src/...` gets the compiled module from dist/ instead of a second
 * copy of the sources through tsx (twice the start-up work, and two module
 * instances of the same plugin); in the container image, where src/ is not
 * shipped, the demo's BFF files load this way. Anything else resolves as usual.
 */
function redirectSourcesToDist() {
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function resolveToDist(request, parent, isMain, options) {
    // Only a file outside dist/ and node_modules can name src/ (a dist/ file names dist/ files): the
    // thousands of requires made by those skip the path arithmetic.
    if (
      parent &&
      parent.filename &&
      (request.startsWith('./') || request.startsWith('../')) &&
      !parent.filename.startsWith(DIST + path.sep) &&
      !parent.filename.includes(`${path.sep}node_modules${path.sep}`)
    ) {
      const target = path.resolve(path.dirname(parent.filename), request);
      const compiled = target.startsWith(SRC + path.sep) ? compiledFileFor(target) : undefined;
      if (compiled) return compiled;
    }
    return resolveFilename.call(this, request, parent, isMain, options);
  };
}

module.exports = { chooseBuild, redirectSourcesToDist, COMPILED_ENTRY, ROOT };
