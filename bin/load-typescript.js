// In a compiled run, the project's own TypeScript files (mesh.config.ts, the
// BFF files, demo/) load through this small CommonJS hook instead of tsx's.
// tsx hooks every require, node_modules included (it scans each JavaScript
// module it loads), which cost about a sixth of the start-up CPU; this hook
// only sees `.ts`/`.cts`/`.tsx` files (and a project `.js` file written as an
// ES module). Each file is compiled by esbuild (the compiler tsx itself
// uses), and the output is kept on disk keyed by a hash of the file's path,
// its text and the compiler's version: a warm start neither loads esbuild nor
// compiles anything. Plain CommonJS: it runs before any hook is installed.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Module = require('node:module');

/** Bumped when the compiled output changes shape (options below). */
const FORMAT = 'loom-ts-1';
const TYPESCRIPT_EXTENSIONS = ['.ts', '.cts', '.tsx'];

/** LOOM_TS_CACHE=off|<folder>; else <os tmpdir>/loom-ts-cache-<uid>. */
function cacheFolder(env = process.env) {
  const setting = env.LOOM_TS_CACHE;
  if (setting === 'off') return undefined;
  if (setting) return path.resolve(setting);
  return path.join(os.tmpdir(), `loom-ts-cache-${process.getuid?.() ?? 'user'}`);
}

/**
 * Trusted only when this user owns the folder and nobody else may write to it:
 * a compiled file planted in a shared /tmp would run as this process.
 */
function isPrivateFolder(folder) {
  const stat = fs.lstatSync(folder);
  const uid = process.getuid?.();
  return stat.isDirectory() && (uid === undefined || stat.uid === uid) && (stat.mode & 0o022) === 0;
}

/**
 * esbuild is tsx's dependency (Loom depends on tsx), so it is found from tsx's
 * folder: an install need not hoist it to the top of node_modules.
 */
function esbuildPath() {
  return require.resolve('esbuild', { paths: [path.dirname(require.resolve('tsx/package.json'))] });
}

let esbuild;
/** esbuild loads on the first cache miss only. */
function compile(source, filename, loader) {
  esbuild ??= require(esbuildPath());
  // The options tsx uses for CommonJS: syntax errors read `Transform failed with 1 error: <file>:<line>:<col>: ERROR: ...`.
  return esbuild.transformSync(source, {
    loader,
    format: 'cjs',
    target: `node${process.versions.node}`,
    sourcefile: filename,
    sourcemap: 'inline',
    supported: { 'dynamic-import': false },
  }).code;
}

function esbuildVersion() {
  try {
    return require(path.join(path.dirname(esbuildPath()), '..', 'package.json')).version;
  } catch {
    return 'missing';
  }
}

/** A compile function that reads and fills the cache folder (or just compiles, when the folder is unusable). */
function createCachedCompile(folder) {
  let usable;
  let version;
  const ensureFolder = () => {
    if (usable !== undefined) return usable;
    try {
      fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
      usable = isPrivateFolder(folder);
    } catch {
      usable = false;
    }
    return usable;
  };
  return (source, filename, loader) => {
    if (!folder || !ensureFolder()) return compile(source, filename, loader);
    version ??= esbuildVersion();
    const key = crypto
      .createHash('sha256')
      .update(`${FORMAT}\0${version}\0${process.versions.node}\0${loader}\0${filename}\0`)
      .update(source)
      .digest('hex');
    const file = path.join(folder, `${key}.js`);
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      // a miss: compile below
    }
    const code = compile(source, filename, loader);
    // Write then rename: a concurrent start (a worker) reads the old file or the whole new one.
    const partial = `${file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(partial, code, { mode: 0o600 });
      fs.renameSync(partial, file);
    } catch {
      // A read-only or full disk: start-up goes on without the cache.
    }
    return code;
  };
}

const ESM_SYNTAX_ERROR = /Cannot use import statement outside a module|Unexpected token 'export'/;

/**
 * Installs the hook. `skip` lists folders whose `.js` files are never
 * recompiled (node_modules is always skipped): Loom's own dist/ and bin/.
 */
function registerTypeScript({ skip = [], env = process.env } = {}) {
  const cachedCompile = createCachedCompile(cacheFolder(env));
  const loaderFor = (filename) => (filename.endsWith('.tsx') ? 'tsx' : 'ts');
  for (const extension of TYPESCRIPT_EXTENSIONS) {
    Module._extensions[extension] = function loadTypeScript(module, filename) {
      module._compile(cachedCompile(fs.readFileSync(filename, 'utf8'), filename, loaderFor(filename)), filename);
    };
  }
  // A project `.js` file written with import/export (tsx accepted it): compiled like TypeScript.
  const loadJavaScript = Module._extensions['.js'];
  Module._extensions['.js'] = function loadProjectJavaScript(module, filename) {
    if (filename.includes(`${path.sep}node_modules${path.sep}`) || skip.some((dir) => filename.startsWith(dir)))
      return loadJavaScript(module, filename);
    try {
      return loadJavaScript(module, filename);
    } catch (error) {
      if (!(error instanceof SyntaxError) || !ESM_SYNTAX_ERROR.test(error.message)) throw error;
      module._compile(cachedCompile(fs.readFileSync(filename, 'utf8'), filename, 'ts'), filename);
    }
  };
  // `import './x.js'` in a TypeScript file names x.ts (TypeScript's own convention), as tsx resolves it.
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function resolveTypeScript(request, parent, isMain, options) {
    try {
      return resolveFilename.call(this, request, parent, isMain, options);
    } catch (error) {
      const fromTypeScript = parent?.filename && TYPESCRIPT_EXTENSIONS.some((ext) => parent.filename.endsWith(ext));
      const renamed = /^\.\.?\/.*\.(c?)js$/.test(request) ? request.replace(/\.(c?)js$/, '.$1ts') : undefined;
      if (!fromTypeScript || !renamed) throw error;
      return resolveFilename.call(this, renamed, parent, isMain, options);
    }
  };
}

module.exports = { registerTypeScript, cacheFolder };
