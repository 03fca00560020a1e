/**
 * Loom's layers, bottom first. A module may import its own layer and any layer
 * below it, never one above (see README "Where things go"). `npm run lint:layers`
 * runs this in `npm test`; a back edge fails it.
 */
const LAYERS = [
  'core',
  'observability',
  'upstream',
  'handlers',
  'compose',
  'plugins',
  'bff',
  'config',
  'server',
  'cli',
];

const upward = LAYERS.slice(0, -1).map((layer, index) => ({
  name: `no-upward-from-${layer}`,
  comment: `src/${layer} may import only ${LAYERS.slice(0, index + 1).join(', ')}`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${LAYERS.slice(index + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'observability-imports-only-core',
      comment: 'observability is cross-cutting: every layer may use it, so it may use only core',
      severity: 'error',
      from: { path: '^src/observability/' },
      to: { path: '^src/(?!core/|observability/)' },
    },
    {
      name: 'no-demo-in-src',
      comment: 'src never imports the demo, except `loom serve --demo`, lazily',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/serve-command\\.ts$' },
      to: { path: '^demo/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'src-not-from-tests-or-bench',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    moduleSystems: ['cjs', 'es6'],
  },
};
