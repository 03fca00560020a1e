#!/usr/bin/env node
// Runs a TypeScript file (benchmarks, scripts) through tsx's CommonJS hook.
require('tsx/cjs/api').register();
const path = require('node:path');
process.argv.splice(1, 1);
require(path.resolve(process.argv[1]));
