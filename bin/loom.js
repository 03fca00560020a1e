#!/usr/bin/env node
// The CLI is TypeScript run through tsx's CommonJS hook: no build step, and
// config/BFF files written in TypeScript load the same way.
require('tsx/cjs/api').register();
require('../src/cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    if (typeof code === 'number') process.exitCode = code;
  });
