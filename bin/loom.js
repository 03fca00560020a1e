#!/usr/bin/env node
// Runs the compiled CLI (dist/, from `npm run build`) when it is up to date,
// else the TypeScript sources through tsx's CommonJS hook. Config and BFF
// files written in TypeScript load either way: through tsx when it runs the
// sources, else through bin/load-typescript.js (esbuild, output cached on
// disk), which spares every other module tsx's per-require work.
const path = require('node:path');
const { chooseBuild, redirectSourcesToDist, COMPILED_ENTRY, ROOT } = require('./compiled-build.js');

// 'stale' (a source edited after the build) runs the sources, silently: output stays the same either way.
const build = chooseBuild();
if (build === 'compiled') {
  // First: the resolve cache then remembers Node's own answers, under the hooks below.
  require('./resolve-cache.js').registerResolveCache({ root: ROOT });
  require('./compile-cache.js').registerCompileCache({ root: ROOT });
  require('./load-typescript.js').registerTypeScript({ skip: [path.join(ROOT, 'dist'), __dirname] });
  redirectSourcesToDist();
} else {
  require('tsx/cjs/api').register();
}
require(build === 'compiled' ? COMPILED_ENTRY : '../src/cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    if (typeof code === 'number') process.exitCode = code;
  });
