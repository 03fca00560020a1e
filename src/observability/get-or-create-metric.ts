import {
  Counter,
  Gauge,
  Histogram,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
  type Registry,
} from 'prom-client';

/**
 * Several BFFs (and several engineers' plugins) share one registry, and
 * prom-client throws when a name is registered twice: every Loom metric is
 * fetched from the registry first and only created when missing.
 */
function existing<T>(registry: Registry, name: string, kind: new (...args: never[]) => T): T | undefined {
  const metric = registry.getSingleMetric(name);
  if (!metric) return undefined;
  if (!(metric instanceof kind)) throw new Error(`metric ${name} is already registered with another type`);
  return metric;
}

export function getOrCreateCounter<L extends string>(
  registry: Registry,
  config: Omit<CounterConfiguration<L>, 'registers'>,
): Counter<L> {
  return existing<Counter<L>>(registry, config.name, Counter) ?? new Counter<L>({ ...config, registers: [registry] });
}

export function getOrCreateHistogram<L extends string>(
  registry: Registry,
  config: Omit<HistogramConfiguration<L>, 'registers'>,
): Histogram<L> {
  return (
    existing<Histogram<L>>(registry, config.name, Histogram) ?? new Histogram<L>({ ...config, registers: [registry] })
  );
}

export function getOrCreateGauge<L extends string>(
  registry: Registry,
  config: Omit<GaugeConfiguration<L>, 'registers'>,
): Gauge<L> {
  return existing<Gauge<L>>(registry, config.name, Gauge) ?? new Gauge<L>({ ...config, registers: [registry] });
}
