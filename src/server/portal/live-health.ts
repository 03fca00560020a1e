import type { Registry } from 'prom-client';
import { describeUpstreamHealth } from '../../upstream/upstream-health-board';
import type { EndpointHealth } from '../../upstream/endpoint-pool';

type Labels = Record<string, string | number>;
interface Sample {
  labels: Labels;
  value: number;
  metricName?: string;
}

async function samples(registry: Registry, name: string): Promise<Sample[]> {
  const metric = registry.getSingleMetric(name);
  return metric ? ((await metric.get()).values as Sample[]) : [];
}

const sumBy = (values: readonly Sample[], key: (labels: Labels) => string) => {
  const sums = new Map<string, number>();
  for (const sample of values) sums.set(key(sample.labels), (sums.get(key(sample.labels)) ?? 0) + sample.value);
  return sums;
};

/**
 * The 95th percentile from a Prometheus histogram's cumulative buckets: the
 * upper bound of the first bucket holding 95% of the calls (an upper bound,
 * as precise as the buckets). Undefined without calls.
 */
export function histogramP95Ms(buckets: ReadonlyArray<{ le: number; count: number }>): number | undefined {
  const sorted = [...buckets].sort((left, right) => left.le - right.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total === 0) return undefined;
  const bucket = sorted.find((candidate) => candidate.count >= total * 0.95);
  return bucket && Number.isFinite(bucket.le) ? bucket.le * 1000 : Infinity;
}

export interface SourceHealth {
  calls: number;
  errors: number;
  /** Upper bound of the 95th percentile call time since start, ms; Infinity past the last bucket. */
  p95Ms: number | undefined;
  endpoints: EndpointHealth[];
}

/** Each source's calls, failures and p95 since start (the gateway's own metrics) and its endpoints' breakers now. */
export async function readSourceHealth(registry: Registry): Promise<Map<string, SourceHealth>> {
  const calls = sumBy(await samples(registry, 'loom_upstream_requests_total'), (labels) => String(labels.source));
  const errors = sumBy(await samples(registry, 'loom_upstream_errors_total'), (labels) => String(labels.source));
  const buckets = new Map<string, Array<{ le: number; count: number }>>();
  for (const sample of await samples(registry, 'loom_upstream_request_duration_seconds')) {
    if (!sample.metricName?.endsWith('_bucket')) continue;
    const source = String(sample.labels.source);
    const le = sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le);
    buckets.set(source, [...(buckets.get(source) ?? []), { le, count: sample.value }]);
  }
  const health = new Map<string, SourceHealth>();
  const sourceOf = (source: string) => {
    let entry = health.get(source);
    if (!entry) health.set(source, (entry = { calls: 0, errors: 0, p95Ms: undefined, endpoints: [] }));
    return entry;
  };
  for (const [source, count] of calls) sourceOf(source).calls = count;
  for (const [source, count] of errors) sourceOf(source).errors = count;
  for (const [source, list] of buckets) sourceOf(source).p95Ms = histogramP95Ms(list);
  for (const { source, endpoints } of describeUpstreamHealth(registry)) sourceOf(source).endpoints = endpoints;
  return health;
}

export interface OperationTraffic {
  bff: string;
  operation: string;
  requests: number;
  errors: number;
}

/** Requests and errors per BFF operation since start, busiest first. */
export async function readOperationTraffic(registry: Registry): Promise<OperationTraffic[]> {
  const key = (labels: Labels) => `${labels.bff}\u0000${labels.operation}`;
  const requests = sumBy(await samples(registry, 'loom_requests_total'), key);
  const errors = sumBy(await samples(registry, 'loom_request_errors_total'), key);
  return [...requests]
    .map(([id, count]) => {
      const [bff, operation] = id.split('\u0000');
      return { bff, operation, requests: count, errors: errors.get(id) ?? 0 };
    })
    .sort((left, right) => right.requests - left.requests);
}

export interface DeprecatedVersionCaller {
  bff: string;
  version: string;
  /** `deprecated`, or `sunset` (answered 410, or served with `afterSunset: 'warn'`). */
  state: string;
  client: string;
  clientVersion: string;
  requests: number;
}

/**
 * Who still calls a deprecated or sunset version since start, busiest first:
 * the portal's view of
 * `sum by (bff, version, state, client, client_version) (loom_version_requests_total{state=~"deprecated|sunset"})`.
 */
export async function readDeprecatedVersionCallers(registry: Registry): Promise<DeprecatedVersionCaller[]> {
  const retired = (await samples(registry, 'loom_version_requests_total')).filter(
    (sample) => sample.labels.state === 'deprecated' || sample.labels.state === 'sunset',
  );
  const key = (labels: Labels) =>
    [labels.bff, labels.version, labels.state, labels.client, labels.client_version].map(String).join('\u0000');
  return [...sumBy(retired, key)]
    .map(([id, requests]) => {
      const [bff, version, state, client, clientVersion] = id.split('\u0000');
      return { bff, version, state, client, clientVersion, requests };
    })
    .sort((left, right) => right.requests - left.requests);
}
