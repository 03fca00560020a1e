import { useThreatProtection } from '../../../src/plugins/threat-protection/use-threat-protection';
import { createThreatApp } from './threat-app';

const REVIEW = 'mutation($input: ReviewInput!) { createReview(input: $input) }';
const ECHO = 'query($value: JSON) { echo(value: $value) }';

/** As a client would send it: JSON.stringify itself overflows on 10k levels, the wire text does not. */
const nest = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level++) value = { a: value };
  return value;
};

describe('useThreatProtection: size limits on variables and inline arguments', () => {
  const refused = async (app: ReturnType<typeof createThreatApp>, body: unknown, rule: string, path: string) => {
    const response = await app.post(body);
    expect(response.status).toBe(400);
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors[0].extensions).toEqual({ code: 'INPUT_REJECTED', rule, path });
    expect(response.body.errors[0].message).toMatch(new RegExp(`^Input rejected by ${rule} \\(limit \\d+\\) at `));
    expect(app.calls()).toBe(0);
    return response;
  };

  it('lets inputs within every limit through', async () => {
    const app = createThreatApp([useThreatProtection()]);
    const input = { title: 'x'.repeat(10_000), tags: Array(1_000).fill('t'), meta: nest(15) };
    expect((await app.post({ query: REVIEW, variables: { input } })).body).toEqual({
      data: { createReview: input.title },
    });
  });

  it.each([
    [
      'a 10 MB string',
      { query: REVIEW, variables: { input: { title: 'x'.repeat(10 * 1024 * 1024) } } },
      'maxStringLength',
      'variables.input.title',
    ],
    [
      'a 1e6-item list',
      { query: REVIEW, variables: { input: { tags: Array(1_000_000).fill('t') } } },
      'maxArrayLength',
      'variables.input.tags',
    ],
    [
      'a 10k-deep object',
      `{"query":${JSON.stringify(ECHO)},"variables":{"value":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}}`,
      'maxDepth',
      `variables.value${'.a'.repeat(16)}`,
    ],
    [
      '10k-deep lists',
      `{"query":${JSON.stringify(ECHO)},"variables":{"value":${'['.repeat(10_000)}1${']'.repeat(10_000)}}}`,
      'maxDepth',
      `variables.value${'.0'.repeat(16)}`,
    ],
    [
      'an object of 5,000 keys',
      { query: ECHO, variables: { value: Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i])) } },
      'maxObjectKeys',
      'variables.value',
    ],
    [
      'a 1 MB key',
      { query: ECHO, variables: { value: { ['k'.repeat(1 << 20)]: 1 } } },
      'maxKeyLength',
      'variables.value',
    ],
    [
      'many lists adding up',
      { query: ECHO, variables: { value: Array.from({ length: 20 }, () => Array(900).fill(0)) } },
      'maxValues',
      'variables.value.11.86',
    ],
    [
      '5,000 variables',
      { query: ECHO, variables: Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`v${i}`, i])) },
      'maxObjectKeys',
      'variables',
    ],
  ])('refuses %s in variables with 400 before any resolver', async (_name, body, rule, path) => {
    await refused(createThreatApp([useThreatProtection()]), body, rule, path);
  });

  it('refuses the same in inline arguments', async () => {
    const app = createThreatApp([useThreatProtection({ maxStringLength: 100, maxArrayLength: 10, maxObjectKeys: 5 })]);
    await refused(app, { query: `{ search(term: "${'x'.repeat(101)}") }` }, 'maxStringLength', 'Query.search.term');
    await refused(
      app,
      { query: `{ search(filters: [${'"f",'.repeat(11)}]) }` },
      'maxArrayLength',
      'Query.search.filters',
    );
    await refused(
      app,
      { query: '{ echo(value: {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6}) }' },
      'maxObjectKeys',
      'Query.echo.value',
    );
    await refused(
      app,
      { query: `mutation { createReview(input: { tags: [${'"t",'.repeat(11)}] }) }` },
      'maxArrayLength',
      'Query.createReview.input.tags'.replace('Query', 'Mutation'),
    );
    await refused(
      app,
      { query: `query($v: [String!] = [${'"d",'.repeat(11)}]) { search(filters: $v) }` },
      'maxArrayLength',
      '$v',
    );
  });

  it.each([
    [
      'an inline object 10,000 deep (graphql-js would overflow its stack)',
      `{ echo(value: ${'{a:'.repeat(10_000)}1${'}'.repeat(10_000)}) }`,
    ],
    ['inline lists 100,000 deep', `{ echo(value: ${'['.repeat(100_000)}1${']'.repeat(100_000)}) }`],
    ['a deep default value', `query($v: JSON = ${'['.repeat(40)}1${']'.repeat(40)}) { echo(value: $v) }`],
  ])('refuses %s before parsing', async (_name, query) => {
    await refused(createThreatApp([useThreatProtection()]), { query }, 'maxDepth', 'query');
  });

  it('does not count selection sets, or brackets inside strings and comments, as argument nesting', async () => {
    const app = createThreatApp([useThreatProtection({ maxDepth: 2 })]);
    const query = `{ search(term: "${'{['.repeat(50)}") # ${'('.repeat(5)}{{{{{
      file(path: """${'{'.repeat(50)} \\""" (((""") }`;
    const { status, body } = await app.post({ query });
    expect(status).toBe(200);
    expect(body.data.search).toEqual(['{['.repeat(50)]);
  });

  it('fails at start-up on bad options', () => {
    expect(() => useThreatProtection({ maxDepth: 0 })).toThrow(
      'useThreatProtection: maxDepth must be a positive integer, got 0',
    );
    expect(() => useThreatProtection({ mode: 'warn' as never })).toThrow(
      'useThreatProtection: mode must be one of block, log, got "warn"',
    );
  });
});
