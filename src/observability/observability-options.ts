import { ConfigError } from '../core/errors';

/** `observability` in mesh.config.ts. */
export interface ObservabilityOptions {
  tracing?: TracingConfig;
}

export interface TracingConfig {
  /**
   * Share of new traces recorded, 0..1. A request that arrives with a
   * `traceparent` follows the caller's sampling decision instead. @default 1
   */
  sampleRatio?: number;
  /** `service.name` of exported spans; `OTEL_SERVICE_NAME` overrides it. @default 'loom' */
  serviceName?: string;
}

/** Checks the `observability` block once, at load; messages name the file and the field. */
export function validateObservabilityOptions(file: string, raw: unknown): ObservabilityOptions | undefined {
  if (raw === undefined) return undefined;
  if (!raw || typeof raw !== 'object') throw new ConfigError(`${file}: observability must be an object`);
  const { tracing } = raw as ObservabilityOptions;
  if (tracing === undefined) return {};
  if (!tracing || typeof tracing !== 'object')
    throw new ConfigError(`${file}: observability.tracing must be an object`);
  const { sampleRatio, serviceName } = tracing;
  if (sampleRatio !== undefined && !(typeof sampleRatio === 'number' && sampleRatio >= 0 && sampleRatio <= 1)) {
    throw new ConfigError(
      `${file}: observability.tracing.sampleRatio must be a number from 0 to 1, got ${JSON.stringify(sampleRatio)}`,
    );
  }
  if (serviceName !== undefined && (typeof serviceName !== 'string' || serviceName === '')) {
    throw new ConfigError(`${file}: observability.tracing.serviceName must be a non-empty string`);
  }
  return { tracing: { sampleRatio, serviceName } };
}
