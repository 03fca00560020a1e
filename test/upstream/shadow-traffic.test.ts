import { Registry } from 'prom-client';
import { createHttpClient, type HttpClient } from '../../src/upstream/create-http-client';
import { compareShadowAnswers, hashBody, isReplayableBody, type ShadowResult } from '../../src/upstream/shadow-traffic';
import { startFaultServer, type FaultServer } from '../fixtures/upstream/fault-server';

function deferredResults(expected: number) {
  const results: ShadowResult[] = [];
  let resolve!: () => void;
  const done = new Promise<void>((settle) => (resolve = settle));
  return { results, done, onShadowResult: (result: ShadowResult) => results.push(result) === expected && resolve() };
}

describe('shadow comparison', () => {
  it('compares status and body hash', () => {
    const ok = { status: 200, bodyHash: hashBody('{"a":1}') };
    expect(compareShadowAnswers(ok, { ...ok })).toEqual({ result: 'match', differences: [], primary: ok, shadow: ok });
    expect(compareShadowAnswers(ok, { status: 500, bodyHash: hashBody('{"a":2}') }).differences).toEqual([
      'status',
      'body',
    ]);
    expect(isReplayableBody('text')).toBe(true);
    expect(isReplayableBody(new ReadableStream())).toBe(false);
  });
});

describe('HTTP client shadowing', () => {
  let primary: FaultServer;
  let shadow: FaultServer;
  let client: HttpClient | undefined;

  beforeEach(async () => {
    [primary, shadow] = await Promise.all([startFaultServer('primary'), startFaultServer('shadow')]);
  });
  afterEach(async () => {
    shadow.releaseHanging();
    await client?.close();
    await Promise.all([primary.close(), shadow.close()]);
  });

  it('mirrors calls with their body, answers from the primary and counts mismatches', async () => {
    const metrics = new Registry();
    const watch = deferredResults(2);
    client = createHttpClient({
      source: 'items',
      endpoints: primary.url,
      metrics,
      upstream: { shadow: { endpoint: shadow.url } },
      onShadowResult: watch.onShadowResult,
    });
    const read = await client.fetch(`${primary.url}/items/7`);
    expect(await read.json()).toEqual({ id: '7', name: 'Item 7', servedBy: 'primary' });
    const write = await client.fetch(`${primary.url}/items`, {
      method: 'POST',
      body: '{"name":"lamp"}',
      headers: { 'x-test': 'yes' },
    });
    expect(await write.json()).toEqual({ id: 'new', name: 'lamp', servedBy: 'primary' });
    await watch.done;
    expect(
      shadow.received.map(({ method, path, body, headers }) => ({ method, path, body, test: headers['x-test'] })),
    ).toEqual([
      { method: 'GET', path: '/items/7', body: '', test: undefined },
      { method: 'POST', path: '/items', body: '{"name":"lamp"}', test: 'yes' },
    ]);
    // The shadow says servedBy: shadow, so both bodies differ; statuses agree.
    expect(watch.results.map((result) => [result.result, result.differences])).toEqual([
      ['mismatch', ['body']],
      ['mismatch', ['body']],
    ]);
    expect((await metrics.getSingleMetric('loom_upstream_shadow_mismatches_total')!.get()).values).toEqual([
      { labels: { source: 'items' }, value: 2 },
    ]);
  });

  it('records a match when the shadow answers the same', async () => {
    const same = await startFaultServer('primary'); // same name: same bodies
    const watch = deferredResults(1);
    client = createHttpClient({
      source: 'items',
      endpoints: primary.url,
      upstream: { shadow: { endpoint: same.url } },
      onShadowResult: watch.onShadowResult,
    });
    try {
      await (await client.fetch(`${primary.url}/items/1`)).text();
      await watch.done;
      expect(watch.results.map((result) => result.result)).toEqual(['match']);
    } finally {
      await client.close();
      await same.close();
    }
  });

  it('never waits for a hanging shadow, nor fails when the shadow fails', async () => {
    shadow.script('hang', 'reset');
    const watch = deferredResults(1);
    client = createHttpClient({
      source: 'items',
      endpoints: primary.url,
      upstream: { shadow: { endpoint: shadow.url } },
      onShadowResult: watch.onShadowResult,
    });
    expect((await client.fetch(`${primary.url}/items/1`)).status).toBe(200); // answered while the shadow still hangs
    await shadow.waitForRequests(1);
    expect((await client.fetch(`${primary.url}/items/2`)).status).toBe(200);
    await watch.done; // the reset shadow call is reported as an error; the hanging one is aborted by close()
    expect(watch.results.map((result) => result.result)).toEqual(['error']);
  });

  it('mirrors only the configured share of calls', async () => {
    let draw = 0;
    const draws = [0.1, 0.9, 0.1, 0.9]; // ratio 0.5: the first and third call are mirrored
    const watch = deferredResults(2);
    client = createHttpClient({
      source: 'items',
      endpoints: primary.url,
      random: () => draws[draw++ % draws.length],
      upstream: { shadow: { endpoint: shadow.url, ratio: 0.5 }, retry: false },
      onShadowResult: watch.onShadowResult,
    });
    for (let index = 0; index < 4; index++) await (await client.fetch(`${primary.url}/items/${index}`)).text();
    await watch.done;
    expect(shadow.received.map((request) => request.path)).toEqual(['/items/0', '/items/2']);
  });
});
