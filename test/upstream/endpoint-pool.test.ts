import { createEndpointPool, type EndpointPool, type UpstreamEndpoint } from '../../src/upstream/endpoint-pool';

const breaker = {
  failureRateThreshold: 0.5,
  minimumCalls: 2,
  windowMs: 10_000,
  coolDownMs: 1_000,
  halfOpenMaxCalls: 1,
};

function callOn(pool: EndpointPool, failed: boolean, tried?: Set<UpstreamEndpoint>): string | undefined {
  const endpoint = pool.pick(tried);
  if (!endpoint) return undefined;
  pool.start(endpoint);
  pool.finish(endpoint, failed);
  return endpoint.url;
}

describe('endpoint pool', () => {
  it('spreads calls round-robin', () => {
    const pool = createEndpointPool({ endpoints: ['http://a', 'http://b', 'http://c'], loadBalancing: 'round-robin' });
    expect([1, 2, 3, 4, 5, 6].map(() => callOn(pool, false))).toEqual([
      'http://a',
      'http://b',
      'http://c',
      'http://a',
      'http://b',
      'http://c',
    ]);
  });

  it('sends the next call to the endpoint with the fewest calls in flight', () => {
    const pool = createEndpointPool({ endpoints: ['http://a', 'http://b'], loadBalancing: 'least-outstanding' });
    const first = pool.pick()!;
    pool.start(first);
    const second = pool.pick()!;
    pool.start(second);
    expect([first.url, second.url].sort()).toEqual(['http://a', 'http://b']);
    pool.finish(second, false); // `second` is idle again, `first` still busy
    expect([1, 2, 3].map(() => pool.pick()!.url)).toEqual([second.url, second.url, second.url]);
  });

  it('fails over to an endpoint this call has not tried yet', () => {
    const pool = createEndpointPool({ endpoints: ['http://a', 'http://b'], loadBalancing: 'round-robin' });
    const tried = new Set<UpstreamEndpoint>();
    const first = pool.pick(tried)!;
    tried.add(first);
    expect(pool.pick(tried)!.url).not.toBe(first.url);
    tried.add(pool.endpoints.find((endpoint) => endpoint !== first)!);
    expect(pool.pick(tried)).toBeDefined(); // everything tried: retry one of them rather than give up
  });

  it('ejects an endpoint after consecutive failures and takes it back after ejectionMs', () => {
    let time = 0;
    const pool = createEndpointPool({
      endpoints: ['http://a', 'http://b'],
      loadBalancing: 'round-robin',
      outlierDetection: { consecutiveFailures: 2, ejectionMs: 5_000 },
      now: () => time,
    });
    const a = pool.endpoints[0];
    for (let index = 0; index < 2; index++) {
      pool.start(a);
      pool.finish(a, true);
    }
    expect(pool.health()[0]).toMatchObject({ endpoint: 'http://a', ejected: true });
    expect([1, 2, 3].map(() => callOn(pool, false))).toEqual(['http://b', 'http://b', 'http://b']);
    time = 5_000;
    expect(new Set([1, 2].map(() => callOn(pool, false)))).toEqual(new Set(['http://a', 'http://b']));
  });

  it('uses the backup only when every primary is down, and fails fast when every breaker is open', () => {
    let time = 0;
    const pool = createEndpointPool({
      endpoints: ['http://a'],
      backupEndpoint: 'http://backup',
      loadBalancing: 'round-robin',
      circuitBreaker: breaker,
      now: () => time,
    });
    expect(callOn(pool, true)).toBe('http://a');
    expect(callOn(pool, true)).toBe('http://a'); // 2 of 2 failed: a is open
    expect(pool.health().map((endpoint) => [endpoint.endpoint, endpoint.circuit])).toEqual([
      ['http://a', 'open'],
      ['http://backup', 'closed'],
    ]);
    expect(callOn(pool, true)).toBe('http://backup');
    expect(callOn(pool, true)).toBe('http://backup'); // the backup opens too
    expect(pool.pick()).toBeUndefined();
    time = 1_000; // cool-down over: a is half-open and gets the probe before the backup
    expect(callOn(pool, false)).toBe('http://a');
    expect(pool.health()[0].circuit).toBe('closed');
  });

  it('falls back to ejected primaries when there is no backup', () => {
    const pool = createEndpointPool({
      endpoints: ['http://a'],
      loadBalancing: 'round-robin',
      outlierDetection: { consecutiveFailures: 1, ejectionMs: 60_000 },
    });
    expect(callOn(pool, true)).toBe('http://a');
    expect(pool.health()[0].ejected).toBe(true);
    expect(callOn(pool, false)).toBe('http://a');
  });
});
