#!/usr/bin/env node
// Runs the compiled CLI (dist/, from `npm run build`) when it is up to date,
// else the TypeScript sources through tsx's CommonJS hook. The hook is
// registered either way: config and BFF files written in TypeScript load
// through it (compiled on the fly, cached by tsx).
require('tsx/cjs/api').register();
const { chooseBuild, redirectSourcesToDist, COMPILED_ENTRY } = require('./compiled-build.js');

// 'stale' (a source edited after the build) runs the sources, silently: output stays the same either way.
const build = chooseBuild();
if (build === 'compiled') redirectSourcesToDist();
require(build === 'compiled' ? COMPILED_ENTRY : '../src/cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    if (typeof code === 'number') process.exitCode = code;
  });
