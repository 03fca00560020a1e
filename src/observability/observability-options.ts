import type { z } from 'zod';
import { nonEmptyString, ratio, strictObject } from '../core/options-schema';

export const tracingConfigSchema = strictObject({
  /**
   * Share of new traces recorded, 0..1. A request that arrives with a
   * `traceparent` follows the caller's sampling decision instead. @default 1
   */
  sampleRatio: ratio().optional(),
  /** `service.name` of exported spans; `OTEL_SERVICE_NAME` overrides it. @default 'loom' */
  serviceName: nonEmptyString().optional(),
});
export type TracingConfig = z.input<typeof tracingConfigSchema>;

/** `observability` in mesh.config.ts. */
export const observabilityOptionsSchema = strictObject({
  /** Tracing: sample ratio and service name; the exporter comes from the environment. */
  tracing: tracingConfigSchema.optional(),
});
export type ObservabilityOptions = z.input<typeof observabilityOptionsSchema>;
