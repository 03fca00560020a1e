import { Registry } from 'prom-client';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/core/logger';
import { useGatewayServices, standaloneServices } from '../../../src/plugins/shared/gateway-services';
import { useThreatProtection } from '../../../src/plugins/threat-protection/use-threat-protection';
import { createThreatApp } from './threat-app';

const SEARCH = 'query($term: String) { search(term: $term) }';
const ALL = ['sql-injection', 'script-injection', 'path-traversal'] as const;

const HOSTILE: Array<[string, string, string]> = [
  ['sql-injection', "' OR '1'='1", 'a tautology'],
  ['sql-injection', "admin'--", 'a quote and a comment'],
  ['sql-injection', '1 UNION ALL SELECT password FROM users', 'union select'],
  ['sql-injection', '1 UNION/**/SELECT 1', 'union select split by a comment'],
  ['sql-injection', '%27%20OR%20%271%27%3D%271', 'a URL-encoded tautology'],
  ['sql-injection', '%2527%2520OR%2520%25271%2527%253D%25271', 'a double URL-encoded tautology'],
  ['sql-injection', 'x; DROP TABLE users', 'a stacked statement'],
  ['sql-injection', '1 AND SLEEP(5)', 'a time-based probe'],
  ['sql-injection', '\uff07 OR \uff071\uff07=\uff071', 'fullwidth quotes'],
  ['script-injection', '<script>alert(1)</script>', 'a script tag'],
  ['script-injection', '\u003cscript\u003ealert(1)\u003c/script\u003e', 'JSON unicode escapes'],
  ['script-injection', '&#x3c;script&#x3e;alert(1)', 'HTML hex entities'],
  ['script-injection', '&lt;svg onload=alert(1)&gt;', 'named HTML entities'],
  ['script-injection', '\uff1cscript\uff1e', 'fullwidth angle brackets'],
  ['script-injection', '<img src=x onerror=alert(1)>', 'an event handler'],
  ['script-injection', 'JaVaScRiPt:alert(1)', 'a script URL in mixed case'],
  ['script-injection', '%3Ciframe%20src%3Dx%3E', 'a URL-encoded iframe'],
  ['path-traversal', '../../etc/passwd', 'parent segments'],
  ['path-traversal', '..\\..\\windows\\win.ini', 'backslash parent segments'],
  ['path-traversal', '..%2f..%2fsecret', 'URL-encoded slashes'],
  ['path-traversal', '%2e%2e%5c%2e%2e%5cboot', 'URL-encoded dots and backslashes'],
  ['path-traversal', '%252e%252e%252fsecret', 'double-encoded parent segment'],
  ['path-traversal', 'report.pdf\u0000.png', 'a NUL byte'],
  ['path-traversal', 'report.pdf%00.png', 'an encoded NUL byte'],
];

const BENIGN = [
  "O'Reilly",
  "Rock 'n' roll #1",
  'Tom & Jerry',
  'select a plan, then union members',
  '1 < 2 and 3 > 2',
  'semi;colon; list',
  'docs/guide/intro.md',
  'version 1.2..3',
  'email: a@b.test -- thanks',
  'ünïcödé ✓ 日本語',
  '100% sure, 50%off',
];

describe('useThreatProtection: pattern rules', () => {
  it.each(HOSTILE)('%s refuses %j (%s) with 400 INPUT_REJECTED naming the rule', async (rule, term) => {
    const app = createThreatApp([useThreatProtection({ patterns: [...ALL] })]);
    const { status, body } = await app.post({ query: SEARCH, variables: { term } });
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      {
        message: `Input rejected by rule ${rule} at variables.term`,
        extensions: { code: 'INPUT_REJECTED', rule, path: 'variables.term' },
      },
    ]);
    expect(app.calls()).toBe(0);
  });

  it.each(BENIGN)('lets %j through', async (term) => {
    const app = createThreatApp([useThreatProtection({ patterns: [...ALL] })]);
    expect((await app.post({ query: SEARCH, variables: { term } })).body).toEqual({ data: { search: [term] } });
  });

  it('checks inline arguments, GraphQL string escapes, object keys and JSON scalars', async () => {
    const app = createThreatApp([useThreatProtection({ patterns: [...ALL] })]);
    const inline = await app.post({ query: '{ search(term: "\\u003cscript\\u003e") }' });
    expect(inline.body.errors[0].extensions).toEqual({
      code: 'INPUT_REJECTED',
      rule: 'script-injection',
      path: 'Query.search.term',
    });
    const key = await app.post({
      query: 'query($v: JSON) { echo(value: $v) }',
      variables: { v: { nested: { '<script>': 1 } } },
    });
    expect(key.body.errors[0].extensions).toEqual({
      code: 'INPUT_REJECTED',
      rule: 'script-injection',
      path: 'variables.v.nested.<script>',
    });
    const block = await app.post({ query: '{ file(path: """../../etc/passwd""") }' });
    expect(block.body.errors[0].extensions.rule).toBe('path-traversal');
    expect(app.calls()).toBe(0);
  });

  it('applies field rules only where they are configured, to every string beneath', async () => {
    const app = createThreatApp([
      useThreatProtection({
        fieldPatterns: { 'Query.file.path': ['path-traversal'], 'ReviewInput.body': ['script-injection'] },
      }),
    ]);
    expect((await app.post({ query: '{ search(term: "../up") }' })).body.data).toEqual({ search: ['../up'] });
    const file = await app.post({ query: 'query($p: String) { file(path: $p) }', variables: { p: '../up' } });
    expect(file.body.errors[0].extensions).toEqual({
      code: 'INPUT_REJECTED',
      rule: 'path-traversal',
      path: 'Query.file.path',
    });
    const review = 'mutation($input: ReviewInput!) { createReview(input: $input) }';
    expect((await app.post({ query: review, variables: { input: { title: '<script>' } } })).body.data).toEqual({
      createReview: '<script>',
    });
    const nested = await app.post({
      query: review,
      variables: { input: { title: 'ok', reply: { reply: { body: '<script>x' } } } },
    });
    expect(nested.status).toBe(400);
    expect(nested.body.errors[0].extensions).toEqual({
      code: 'INPUT_REJECTED',
      rule: 'script-injection',
      path: 'Mutation.createReview.input.reply.reply.body',
    });
    expect(app.calls()).toBe(2);
  });

  it('takes custom rules, and in log mode lets matches through with a warning and a metric', async () => {
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    const metrics = new Registry();
    const services = {
      ...standaloneServices(),
      metrics,
      bffName: 'web',
      logger: createLogger({ destination, level: 'warn' }),
    };
    const app = createThreatApp([
      useGatewayServices(services),
      useThreatProtection({
        mode: 'log',
        patterns: ['sql-injection', { name: 'no-ssn', pattern: /\b\d{3}-\d{2}-\d{4}\b/ }],
      }),
    ]);
    for (const term of ["' OR 1=1 --", 'ssn 123-45-6789'])
      expect((await app.post({ query: SEARCH, variables: { term } })).body).toEqual({ data: { search: [term] } });
    const text = await metrics.metrics();
    expect(text).toContain('loom_threat_protection_findings_total{bff="web",rule="sql-injection",action="logged"} 1');
    expect(text).toContain('loom_threat_protection_findings_total{bff="web",rule="no-ssn",action="logged"} 1');
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        rule: 'sql-injection',
        path: 'variables.term',
        mode: 'log',
        msg: 'input matched a pattern rule',
      }),
      expect.objectContaining({ rule: 'no-ssn', path: 'variables.term' }),
    ]);
    // The attacker's text is never logged.
    expect(lines.join('')).not.toContain('123-45-6789');
  });

  it('counts blocked findings too, limits included', async () => {
    const metrics = new Registry();
    const app = createThreatApp([
      useGatewayServices({ ...standaloneServices(), metrics, bffName: 'iot' }),
      useThreatProtection({ patterns: ['sql-injection'], maxStringLength: 5 }),
    ]);
    await app.post({ query: SEARCH, variables: { term: "'--" } });
    await app.post({ query: SEARCH, variables: { term: 'toolong' } });
    const text = await metrics.metrics();
    expect(text).toContain('loom_threat_protection_findings_total{bff="iot",rule="sql-injection",action="blocked"} 1');
    expect(text).toContain(
      'loom_threat_protection_findings_total{bff="iot",rule="maxStringLength",action="blocked"} 1',
    );
  });

  it('fails at start-up on unknown rules and coordinates', () => {
    expect(() => useThreatProtection({ patterns: ['xss' as never] })).toThrow(
      'useThreatProtection: patterns[0]: "xss" is not one of sql-injection, script-injection, path-traversal',
    );
    expect(() => useThreatProtection({ patterns: [{ name: 'g', pattern: /x/g }] })).toThrow(
      'must not use the g or y flag',
    );
    expect(() =>
      createThreatApp([useThreatProtection({ fieldPatterns: { 'Query.file.nope': ['path-traversal'] } })]),
    ).toThrow(
      'useThreatProtection: fieldPatterns: "Query.file.nope" is not a Type.field.argument or InputType.field of this schema',
    );
  });
});
