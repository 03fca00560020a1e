// A V8 code cache for the CommonJS modules of a compiled run (Node 20 has no
// `module.enableCompileCache`, which Node 22 adds). Compiling the ~2,500
// modules `loom serve` loads is a large share of its start-up CPU; V8 can
// instead read back the code it made last time. The cache is one file per
// Loom folder, Node version and flag set, holding each module's code keyed by
// a hash of its text (a changed file is a miss). Once no module has loaded
// for a few seconds (or at exit), a start that compiled something writes the
// file: by then V8's code includes the functions start-up ran, not only each
// module's top level. Then the hook steps aside.
// LOOM_COMPILE_CACHE=off|<folder>; default <os tmpdir>/loom-compile-cache-<uid>.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');
const { Buffer } = require('node:buffer');
const { setTimeout, clearTimeout } = require('node:timers');
const { performance } = require('node:perf_hooks');

const FORMAT = 'loom-compile-cache-1';
/** Start-up counts as over once no module has loaded for this long. */
const IDLE_MS = 5000;

function cacheFolder(env = process.env) {
  const setting = env.LOOM_COMPILE_CACHE;
  if (setting === 'off') return undefined;
  if (setting) return path.resolve(setting);
  return path.join(os.tmpdir(), `loom-compile-cache-${process.getuid?.() ?? 'user'}`);
}

/** Only this user's folder, writable by nobody else: planted code would run as this process. */
function isPrivateFolder(folder) {
  const stat = fs.lstatSync(folder);
  const uid = process.getuid?.();
  return stat.isDirectory() && (uid === undefined || stat.uid === uid) && (stat.mode & 0o022) === 0;
}

// crypto.hash (Node 20.12+, 21.7+) hashes in one call: about half the cost of createHash on the
// thousands of small modules a start loads.
const sha1 = crypto.hash
  ? (text) => crypto.hash('sha1', text, 'base64')
  : (text) => crypto.createHash('sha1').update(text).digest('base64');

/** File layout: 4-byte header length, JSON header {format, entries: {file: [hash, offset, length]}}, then the code. */
function readCacheFile(file) {
  const entries = new Map();
  let data;
  try {
    data = fs.readFileSync(file);
    const headerLength = data.readUInt32LE(0);
    const header = JSON.parse(data.subarray(4, 4 + headerLength).toString('utf8'));
    if (header.format !== FORMAT) return entries;
    const base = 4 + headerLength;
    for (const [filename, [hash, offset, length]] of Object.entries(header.entries))
      if (base + offset + length <= data.length)
        entries.set(filename, { hash, cachedData: data.subarray(base + offset, base + offset + length) });
  } catch {
    // missing, truncated or another format: an empty cache
  }
  return entries;
}

/** Cache files kept per folder (one per checkout, Node version and flag set): the least recently written go. */
const MAX_CACHE_FILES = 8;

function pruneFolder(folder) {
  try {
    const files = fs
      .readdirSync(folder)
      .filter((name) => name.endsWith('.bin'))
      .map((name) => ({ name, mtimeMs: fs.statSync(path.join(folder, name)).mtimeMs }))
      .sort((left, right) => right.mtimeMs - left.mtimeMs);
    for (const { name } of files.slice(MAX_CACHE_FILES)) fs.rmSync(path.join(folder, name), { force: true });
  } catch {
    // another process pruned first: nothing to do
  }
}

function writeCacheFile(file, entries) {
  const header = { format: FORMAT, entries: {} };
  const buffers = [];
  let offset = 0;
  for (const [filename, { hash, cachedData }] of entries) {
    header.entries[filename] = [hash, offset, cachedData.length];
    buffers.push(cachedData);
    offset += cachedData.length;
  }
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length, 0);
  // Write then rename: a concurrent start reads the old file or the whole new one.
  const partial = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(partial, Buffer.concat([length, headerBytes, ...buffers]), { mode: 0o600 });
    fs.renameSync(partial, file);
  } catch {
    fs.rmSync(partial, { force: true });
    return;
  }
  pruneFolder(path.dirname(file));
}

/** As Node's own require for a module (lib/internal/modules/helpers.js makeRequireFunction). */
function makeRequire(module) {
  const require = (id) => module.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, module);
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

const DYNAMIC_IMPORT = /\bimport\s*\(/;

/** A hashbang line is only valid at the very start of a script; keep the columns, drop the line's meaning. */
const withoutHashbang = (content) => (content.startsWith('#!') ? `//${content.slice(2)}` : content);

/**
 * Installs the cache for every CommonJS module loaded from now on; `root`
 * (Loom's folder) names the cache file. Returns undefined when the cache is
 * off or its folder is unusable.
 */
function registerCompileCache({ root, env = process.env } = {}) {
  const folder = cacheFolder(env);
  if (!folder) return undefined;
  try {
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    if (!isPrivateFolder(folder)) return undefined;
  } catch {
    return undefined;
  }
  // V8 rejects code made under other flags, and each checkout has its own files: one cache file for each.
  const identity = [FORMAT, process.version, process.arch, root, ...process.execArgv].join('\0');
  const file = path.join(folder, `${sha1(identity).replace(/[/+=]/g, '_')}.bin`);
  const entries = readCacheFile(file);
  /** Scripts compiled without usable cached code this run: their code is made when the cache is saved. */
  const fresh = new Map();
  /** Modules compiled from cached code, and without, this run (tests, diagnostics). */
  const stats = { hits: 0, misses: 0 };
  const compile = Module.prototype._compile;
  let timer;
  // Once start-up has gone idle: save what was compiled, then step aside and let the cache's memory go
  // (a module loaded later, on some first request, compiles as usual).
  const finish = () => {
    clearTimeout(timer);
    if (Module.prototype._compile === compileWithCache) Module.prototype._compile = compile;
    process.off('exit', finish);
    if (fresh.size > 0) {
      for (const [filename, { hash, script }] of fresh)
        entries.set(filename, { hash, cachedData: script.createCachedData() });
      writeCacheFile(file, entries);
    }
    fresh.clear();
    entries.clear();
  };
  // One timer, not one per module: each load only notes the time, and the timer looks again when it fires.
  let lastLoadMs = 0;
  const check = () => {
    const idleMs = performance.now() - lastLoadMs;
    if (idleMs >= IDLE_MS) finish();
    else timer = setTimeout(check, IDLE_MS - idleMs).unref();
  };
  const idle = () => {
    lastLoadMs = performance.now();
    timer ??= setTimeout(check, IDLE_MS).unref();
  };
  function compileWithCache(content, filename, format) {
    // A module with a dynamic import() compiles as usual: on Node 20, code read back from a cache loses
    // the link to the loader that import() needs ("A dynamic import callback was not specified").
    // Only modules without one are ever cached, so a hit (same text) needs no look for it.
    if (format !== undefined && format !== 'commonjs') return compile.call(this, content, filename, format);
    const source = withoutHashbang(content);
    const hash = sha1(source);
    const cached = entries.get(filename);
    if (cached?.hash !== hash && DYNAMIC_IMPORT.test(content)) return compile.call(this, content, filename, format);
    const script = new vm.Script(Module.wrap(source), {
      filename,
      cachedData: cached?.hash === hash ? cached.cachedData : undefined,
    });
    if (cached?.hash !== hash || script.cachedDataRejected) {
      fresh.set(filename, { hash, script });
      stats.misses += 1;
    } else stats.hits += 1;
    idle();
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(this.exports, this.exports, makeRequire(this), this, filename, path.dirname(filename));
  }
  Module.prototype._compile = compileWithCache;
  process.once('exit', finish);
  idle();
  return { file, finish, stats };
}

module.exports = { registerCompileCache, cacheFolder };
