import { Counter, Gauge, type Registry } from 'prom-client';

interface MetricDefinition<Label extends string> {
  name: string;
  help: string;
  labelNames: readonly Label[];
}

/**
 * Several BFFs (and several policies in one BFF) share one registry; a second
 * `new Counter` with the same name would throw, so the first one wins.
 */
function getOrCreate<Label extends string, Metric extends Counter<Label> | Gauge<Label>>(
  registry: Registry,
  definition: MetricDefinition<Label>,
  kind: new (configuration: { name: string; help: string; labelNames: Label[]; registers: Registry[] }) => Metric,
): Metric {
  const existing = registry.getSingleMetric(definition.name);
  if (existing === undefined) return new kind({ ...definition, labelNames: [...definition.labelNames], registers: [registry] });
  if (!(existing instanceof kind)) throw new TypeError(`metric ${definition.name} is registered with another type`);
  return existing;
}

export const getOrCreateCounter = <Label extends string>(registry: Registry, definition: MetricDefinition<Label>): Counter<Label> =>
  getOrCreate(registry, definition, Counter<Label>);

export const getOrCreateGauge = <Label extends string>(registry: Registry, definition: MetricDefinition<Label>): Gauge<Label> =>
  getOrCreate(registry, definition, Gauge<Label>);
