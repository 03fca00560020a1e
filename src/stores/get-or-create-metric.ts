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
export function getOrCreateCounter<Label extends string>(registry: Registry, definition: MetricDefinition<Label>): Counter<Label> {
  const existing = registry.getSingleMetric(definition.name);
  if (existing) {
    if (!(existing instanceof Counter)) throw new TypeError(`metric ${definition.name} is registered with another type`);
    return existing as Counter<Label>;
  }
  return new Counter({ ...definition, labelNames: [...definition.labelNames], registers: [registry] });
}

/** Gauge counterpart of {@link getOrCreateCounter}. */
export function getOrCreateGauge<Label extends string>(registry: Registry, definition: MetricDefinition<Label>): Gauge<Label> {
  const existing = registry.getSingleMetric(definition.name);
  if (existing) {
    if (!(existing instanceof Gauge)) throw new TypeError(`metric ${definition.name} is registered with another type`);
    return existing as Gauge<Label>;
  }
  return new Gauge({ ...definition, labelNames: [...definition.labelNames], registers: [registry] });
}
