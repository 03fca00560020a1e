import { Registry } from 'prom-client';
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../../src/upstream/create-http-client';
import { describeUpstreamHealth } from '../../src/upstream/upstream-health-board';
import { refusedUrl, startFaultServer, type FaultServer } from '../fixtures/upstream/fault-server';

const noSleep = async () => undefined;
const servedBy = async (response: Response) => ((await response.json()) as { servedBy: string }).servedBy;

describe('HTTP client over several endpoints', () => {
  let first: FaultServer;
  let second: FaultServer;
  let backup: FaultServer;
  const clients: HttpClient[] = [];
  const client = (options: Partial<HttpClientOptions>) => {
    const created = createHttpClient({ source: 'items', sleep: noSleep, ...options });
    clients.push(created);
    return created;
  };

  beforeEach(async () => {
    [first, second, backup] = await Promise.all([
      startFaultServer('first'),
      startFaultServer('second'),
      startFaultServer('backup'),
    ]);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((created) => created.close()));
    await Promise.all([first, second, backup].map((server) => server.close()));
  });

  it('balances round-robin by swapping the endpoint the URL was built on', async () => {
    const balanced = client({ endpoints: [first.url, second.url] });
    const served = [];
    for (let index = 0; index < 4; index++)
      served.push(await servedBy(await balanced.fetch(`${first.url}/items/${index}?x=1`)));
    expect(served).toEqual(['first', 'second', 'first', 'second']);
    expect(second.received.map((request) => request.path)).toEqual(['/items/1?x=1', '/items/3?x=1']);
  });

  it('fails over to the second instance when the first refuses connections, even for a POST', async () => {
    const dead = await refusedUrl();
    const failover = client({
      endpoints: [dead, second.url],
      upstream: { outlierDetection: false, circuitBreaker: false },
    });
    for (let index = 0; index < 3; index++)
      expect(await servedBy(await failover.fetch(`${dead}/items/${index}`))).toBe('second');
    const created = await failover.fetch(`${dead}/items`, { method: 'POST', body: '{"name":"lamp"}' });
    expect(await created.json()).toEqual({ id: 'new', name: 'lamp', servedBy: 'second' });
    expect(second.received).toHaveLength(4);
  });

  it('fails a GET over to the other instance on 503 and ejects the failing one', async () => {
    first.fallback = { status: 503 };
    const metrics = new Registry();
    const ejecting = client({
      endpoints: [first.url, second.url],
      metrics,
      upstream: { outlierDetection: { consecutiveFailures: 2 }, circuitBreaker: false },
    });
    for (let index = 0; index < 6; index++)
      expect(await servedBy(await ejecting.fetch(`${first.url}/items/${index}`))).toBe('second');
    expect(first.received).toHaveLength(2); // ejected after two failures in a row: no traffic since
    expect(describeUpstreamHealth(metrics)).toEqual([
      {
        source: 'items',
        endpoints: [
          { endpoint: first.url, backup: false, circuit: 'none', ejected: true, outstanding: 0 },
          { endpoint: second.url, backup: false, circuit: 'none', ejected: false, outstanding: 0 },
        ],
      },
    ]);
    expect((await metrics.getSingleMetric('loom_upstream_endpoint_ejections_total')!.get()).values).toEqual([
      { labels: { source: 'items', endpoint: first.url }, value: 1 },
    ]);
  });

  it('sends traffic to the backup only once every primary is down', async () => {
    first.fallback = { status: 503 };
    const withBackup = client({
      endpoints: [first.url],
      upstream: {
        backupEndpoint: backup.url,
        retry: { maxRetries: 0 },
        circuitBreaker: { minimumCalls: 2, failureRateThreshold: 0.5, coolDownMs: 60_000 },
      },
    });
    expect((await withBackup.fetch(`${first.url}/items/1`)).status).toBe(503);
    expect((await withBackup.fetch(`${first.url}/items/2`)).status).toBe(503); // breaker of `first` opens
    expect(await servedBy(await withBackup.fetch(`${first.url}/items/3`))).toBe('backup');
    expect(await servedBy(await withBackup.fetch(`${first.url}/items/4`))).toBe('backup');
    expect(first.received).toHaveLength(2);
    expect(backup.received.map((request) => request.path)).toEqual(['/items/3', '/items/4']);
  });

  it('least-outstanding sends new calls away from an endpoint that is busy', async () => {
    first.fallback = 'hang';
    const leastBusy = client({
      endpoints: [first.url, second.url],
      upstream: { loadBalancing: 'least-outstanding', retry: false },
    });
    const stuck = leastBusy.fetch(`${first.url}/items/0`);
    await first.waitForRequests(1);
    const served = [];
    for (let index = 1; index <= 3; index++)
      served.push(await servedBy(await leastBusy.fetch(`${first.url}/items/${index}`)));
    expect(served).toEqual(['second', 'second', 'second']);
    first.releaseHanging();
    expect((await stuck).status).toBe(200);
  });

  it('calls URLs outside the configured endpoints where they point', async () => {
    const other = client({ endpoints: [first.url] });
    expect(await servedBy(await other.fetch(`${second.url}/items/1`))).toBe('second');
    expect(first.received).toHaveLength(0);
  });
});
