// `node --require ./bench/lib/count-modules.cjs bin/loom.js serve --demo`, stopped (Ctrl-C) once ready:
// prints how many CommonJS modules the process loaded, and how many of them from node_modules.
'use strict';
process.on('exit', () => {
  const files = Object.keys(require.cache);
  const fromPackages = files.filter((file) => file.includes('/node_modules/')).length;
  process.stderr.write(`modules loaded: ${files.length} (${fromPackages} from node_modules)\n`);
});
