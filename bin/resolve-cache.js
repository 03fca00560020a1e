// Remembers, across starts, where the requires of Loom's own modules resolved
// to. Node's resolution of a bare or relative request probes the disk (stat
// per candidate, package.json reads, realpath): about a sixth of a compiled
// start's CPU for the ~2,400 modules `loom serve --demo` loads. Only requires
// made from <root>/node_modules and <root>/dist that resolve to a file there
// are remembered (keyed by the requiring folder and the request), and the whole
// map is dropped when npm changes node_modules (its .package-lock.json), the
// lock file, the build (dist/cli/main.js), Node or its flags change; a remembered file that is
// gone is resolved again. It lives beside the code cache (bin/compile-cache.js)
// and follows LOOM_COMPILE_CACHE (off turns both off).
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { setTimeout, clearTimeout } = require('node:timers');
const { cacheFolder } = require('./compile-cache.js');

const FORMAT = 'loom-resolve-cache-1';
/** Written once no new resolution has happened for this long (or at exit). */
const IDLE_MS = 5000;

const mtimeMs = (file) => {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
};

/** Maps kept per folder (one per checkout, Node version and flag set): the least recently written go. */
const MAX_FILES = 8;

function pruneFolder(folder) {
  try {
    const files = fs
      .readdirSync(folder)
      .filter((name) => name.startsWith('resolve-') && name.endsWith('.json'))
      .map((name) => ({ name, mtimeMs: mtimeMs(path.join(folder, name)) }))
      .sort((left, right) => right.mtimeMs - left.mtimeMs);
    for (const { name } of files.slice(MAX_FILES)) fs.rmSync(path.join(folder, name), { force: true });
  } catch {
    // another process pruned first: nothing to do
  }
}

/**
 * Installs the cache over Module._resolveFilename as it is now (install it
 * before other resolve hooks: it then remembers only Node's own answers).
 * Returns undefined when the cache is off or its folder is unusable.
 */
function registerResolveCache({ root, env = process.env } = {}) {
  const folder = cacheFolder(env);
  if (!folder) return undefined;
  try {
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    const stat = fs.lstatSync(folder);
    const uid = process.getuid?.();
    // Only this user's folder, writable by nobody else: a planted map would choose the code that runs.
    if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o022) !== 0) return undefined;
  } catch {
    return undefined;
  }
  // Module filenames are real paths: a linked node_modules (a worktree's) is found under its target.
  const real = (folder) => {
    try {
      return fs.realpathSync(folder) + path.sep;
    } catch {
      return folder + path.sep;
    }
  };
  const scopes = [real(path.join(root, 'node_modules')), real(path.join(root, 'dist'))];
  const inScope = (file) => scopes.some((scope) => file.startsWith(scope));
  // Flags such as --conditions change what a package's exports resolve to.
  const stamp = [
    FORMAT,
    process.version,
    ...process.execArgv,
    ...[
      path.join(root, 'node_modules', '.package-lock.json'),
      path.join(root, 'package-lock.json'),
      path.join(root, 'dist', 'cli', 'main.js'),
    ].map(mtimeMs),
  ].join(' ');
  // One file per checkout, Node version and flag set (as the code cache): starts with other flags keep their own.
  const name = crypto
    .createHash('sha1')
    .update([FORMAT, root, process.version, ...process.execArgv].join('\0'))
    .digest('hex');
  const file = path.join(folder, `resolve-${name}.json`);
  let known = new Map();
  try {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (saved.stamp === stamp) known = new Map(Object.entries(saved.entries));
  } catch {
    // missing or unreadable: an empty map
  }
  const stats = { hits: 0, misses: 0 };
  let added = 0;
  let timer;
  const resolveFilename = Module._resolveFilename;
  const save = () => {
    clearTimeout(timer);
    timer = undefined;
    if (added === 0) return;
    added = 0;
    const partial = `${file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(partial, JSON.stringify({ stamp, entries: Object.fromEntries(known) }), { mode: 0o600 });
      fs.renameSync(partial, file);
    } catch {
      fs.rmSync(partial, { force: true });
      return;
    }
    pruneFolder(folder);
  };
  Module._resolveFilename = function resolveRemembered(request, parent, isMain, options) {
    const from = parent?.filename;
    if (isMain || options !== undefined || typeof from !== 'string' || !inScope(from))
      return resolveFilename.call(this, request, parent, isMain, options);
    const key = `${parent.path ?? path.dirname(from)}\0${request}`;
    const remembered = known.get(key);
    // A map edited by hand (or by anything but this hook) names only files in the scopes, or is not used.
    // A module already loaded this run exists; any other is checked on disk (one stat, not a resolution).
    if (
      typeof remembered === 'string' &&
      inScope(remembered) &&
      (Module._cache[remembered] !== undefined || fs.existsSync(remembered))
    ) {
      stats.hits += 1;
      return remembered;
    }
    const resolved = resolveFilename.call(this, request, parent, isMain, options);
    // Only answers inside the scopes too: the stamps say nothing of other folders (an installed Loom's
    // dependencies sit in the app's node_modules). Builtins (`node:fs`) resolve to a bare name.
    if (inScope(resolved)) {
      stats.misses += 1;
      known.set(key, resolved);
      added += 1;
      clearTimeout(timer);
      timer = setTimeout(save, IDLE_MS).unref();
    }
    return resolved;
  };
  process.once('exit', save);
  return { file, stats, save };
}

module.exports = { registerResolveCache };
