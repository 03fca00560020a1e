import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { main, type CliIo } from '../../src/cli/main';
import { sha256Hex } from '../../src/plugins/persisted/load-persisted-manifest';
import { RATINGS_SDL } from '../fixtures/compose/ratings-graphql-backend';

interface Captured extends CliIo {
  readonly stdout: string;
  readonly stderr: string;
}

function captureIo(): Captured {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (text) => void out.push(text),
    err: (text) => void err.push(text),
    get stdout() {
      return out.join('');
    },
    get stderr() {
      return err.join('');
    },
  };
}

const RATING_BY_ORDER = 'query RatingComment($id: ID!) { ratingForOrder(orderId: $id) { stars comment } }';
const RATING_STARS = 'query RatingStars($id: ID!) { ratingForOrder(orderId: $id) { stars } }';

/**
 * A config directory of its own per test: a GraphQL source read from an SDL
 * file (no network at compose time; the endpoint is never called), one BFF
 * showing the whole graph, and that BFF's persisted operations manifest.
 * Each test edits the SDL between `compose` and `check`.
 */
function createConfigDir(): {
  dir: string;
  sdl: string;
  run(command: string): Promise<{ code: number | undefined; io: Captured }>;
} {
  const dir = mkdtempSync(join(tmpdir(), 'loom-cli-'));
  const sdl = join(dir, 'ratings.graphql');
  copyFileSync(RATINGS_SDL, sdl);
  writeFileSync(
    join(dir, 'mesh.config.js'),
    `module.exports = { sources: [{ name: 'ratings', kind: 'graphql', endpoint: 'http://127.0.0.1:1/graphql', sdl: './ratings.graphql' }], bffs: { web: './web.js' } };\n`,
  );
  writeFileSync(join(dir, 'web.js'), 'module.exports = { introspection: true, policies: [] };\n');
  writeFileSync(
    join(dir, 'web.persisted.json'),
    JSON.stringify({ [sha256Hex(RATING_BY_ORDER)]: RATING_BY_ORDER, [sha256Hex(RATING_STARS)]: RATING_STARS }),
  );
  return {
    dir,
    sdl,
    run: async (command) => {
      const io = captureIo();
      const code = await main([command, '--config', join(dir, 'mesh.config.js')], io);
      return { code, io };
    },
  };
}

describe('loom compose and loom check', () => {
  const dirs: string[] = [];
  const setup = () => {
    const created = createConfigDir();
    dirs.push(created.dir);
    return created;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('compose writes schema/<bff>.graphql, sorted and stable', async () => {
    const { dir, run } = setup();
    const first = await run('compose');
    expect(first.code).toBe(0);
    expect(first.io.stdout).toContain('wrote ');
    const written = readFileSync(join(dir, 'schema', 'web.graphql'), 'utf8');
    expect(written).toBe(`${printSchema(lexicographicSortSchema(buildSchema(readFileSync(RATINGS_SDL, 'utf8'))))}\n`);
    expect(written.indexOf('type OrderRating')).toBeLessThan(written.indexOf('type Query'));
    await run('compose');
    expect(readFileSync(join(dir, 'schema', 'web.graphql'), 'utf8')).toBe(written);
  });

  it('check passes with no changes', async () => {
    const { run } = setup();
    await run('compose');
    const { code, io } = await run('check');
    expect(io.stdout).toContain('web: 0 breaking, 0 safe or dangerous change(s)');
    expect(io.stdout).toContain('persisted operations');
    expect(io.stdout).toContain('all valid');
    expect(code).toBe(0);
  });

  it('check exits 1 on a removed field, names it and the persisted operation it breaks', async () => {
    const { sdl, run } = setup();
    await run('compose');
    writeFileSync(sdl, readFileSync(sdl, 'utf8').replace('  comment: String\n', ''));
    const { code, io } = await run('check');
    expect(code).toBe(1);
    expect(io.stdout).toMatch(/BREAKING .*'comment'.*removed.*'OrderRating'.*\(OrderRating\.comment\)/);
    expect(io.stdout).toContain(
      `BROKEN    persisted operation RatingComment ${sha256Hex(RATING_BY_ORDER)}: Cannot query field "comment" on type "OrderRating".`,
    );
    expect(io.stdout).not.toContain('RatingStars');
    expect(io.stdout).toContain('loom check: breaking changes found');
  });

  it('check exits 0 on an added field and lists it as safe', async () => {
    const { sdl, run } = setup();
    await run('compose');
    writeFileSync(
      sdl,
      readFileSync(sdl, 'utf8').replace('  comment: String\n', '  comment: String\n  reviewer: String\n'),
    );
    const { code, io } = await run('check');
    expect(io.stdout).toMatch(/SAFE {6}.*'reviewer'.*added.*'OrderRating'.*\(OrderRating\.reviewer\)/);
    expect(io.stdout).toContain('loom check: no breaking changes');
    expect(code).toBe(0);
  });

  it('check sums description edits up in one line and keeps every other change on its own', async () => {
    const { sdl, run } = setup();
    await run('compose');
    writeFileSync(
      sdl,
      readFileSync(sdl, 'utf8')
        .replace('"One order\'s rating."', '"The rating of one order."')
        .replace('"Always fails, with a remote error code."\n', '')
        .replace('type OrderRating {\n', '"A customer\'s rating."\ntype OrderRating {\n')
        .replace('  comment: String\n', '  comment: String\n  reviewer: String\n'),
    );
    const { code, io } = await run('check');
    expect(code).toBe(0);
    const lines = io.stdout.split('\n').filter((line) => line.startsWith('  '));
    expect(lines.filter((line) => /description/i.test(line))).toEqual([
      expect.stringMatching(
        /^ {2}SAFE {6}3 description change\(s\): (Query\.ratingForOrder|Query\.brokenRating|OrderRating)(, (Query\.ratingForOrder|Query\.brokenRating|OrderRating)){2}$/,
      ),
    ]);
    expect(lines.some((line) => /'reviewer'.*added/.test(line))).toBe(true);
  });

  it('check exits 1 on a nullable argument made non-null', async () => {
    const { sdl, run } = setup();
    writeFileSync(
      sdl,
      readFileSync(sdl, 'utf8').replace('brokenRating: OrderRating', 'brokenRating(reason: String): OrderRating'),
    );
    await run('compose');
    writeFileSync(
      sdl,
      readFileSync(sdl, 'utf8').replace('brokenRating(reason: String)', 'brokenRating(reason: String!)'),
    );
    const { code, io } = await run('check');
    expect(code).toBe(1);
    expect(io.stdout).toMatch(/BREAKING .*'reason'.*'String' to 'String!'.*\(Query\.brokenRating\.reason\)/);
  });

  it('check exits 1 when a BFF has no snapshot yet', async () => {
    const { run } = setup();
    const { code, io } = await run('check');
    expect(code).toBe(1);
    expect(io.stdout).toMatch(/web: no snapshot at .*web\.graphql; run loom compose/);
  });

  it('reports a config error on stderr with exit 1', async () => {
    const io = captureIo();
    expect(await main(['check', '--config', join(tmpdir(), 'no-such-loom-config.ts')], io)).toBe(1);
    expect(io.stderr).toMatch(/^loom: .*no-such-loom-config\.ts: config file not found\n$/);
  });
});
