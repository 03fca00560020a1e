import type { Sampler } from '@opentelemetry/sdk-trace-node';
import { StartupError } from '../core/errors';

type TraceSdk = typeof import('@opentelemetry/sdk-trace-node');

/**
 * The tracing SDK (about 130 modules with its dependencies) loads only when a
 * sampler or a tracer provider is made: a gateway that exports no spans never
 * needs it, and start-up is mostly module loading.
 */
export function loadTraceSdk(): TraceSdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@opentelemetry/sdk-trace-node') as TraceSdk;
}

/**
 * The standard OpenTelemetry environment variables Loom reads itself (the OTLP
 * exporters read OTEL_EXPORTER_OTLP_[TRACES_]HEADERS, _TIMEOUT and
 * _COMPRESSION on their own). A value Loom cannot honour stops start-up with
 * one line rather than exporting nothing, or the wrong share, in silence.
 */

/** `OTEL_SDK_DISABLED=true`: no tracer provider, no exporter. */
export function isOtelSdkDisabled(env: NodeJS.ProcessEnv): boolean {
  return env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';
}

export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL, else the spec's default, http/protobuf. */
export function otlpProtocolFromEnv(env: NodeJS.ProcessEnv): OtlpProtocol {
  const name = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const value = env[name]?.trim() || 'http/protobuf';
  if (value === 'http/protobuf' || value === 'http/json') return value;
  throw new StartupError(
    value === 'grpc'
      ? `${name}=grpc is not supported: use http/protobuf or http/json (a collector takes both on port 4318)`
      : `${name} must be http/protobuf or http/json, got ${JSON.stringify(value)}`,
  );
}

function ratioFrom(env: NodeJS.ProcessEnv): number {
  const text = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  if (!text) return 1;
  const ratio = Number(text);
  if (!(ratio >= 0 && ratio <= 1))
    throw new StartupError(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, got ${JSON.stringify(text)}`);
  return ratio;
}

const SAMPLERS: Readonly<Record<string, (env: NodeJS.ProcessEnv, sdk: TraceSdk) => Sampler>> = {
  always_on: (_env, sdk) => new sdk.AlwaysOnSampler(),
  always_off: (_env, sdk) => new sdk.AlwaysOffSampler(),
  traceidratio: (env, sdk) => new sdk.TraceIdRatioBasedSampler(ratioFrom(env)),
  parentbased_always_on: (_env, sdk) => new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() }),
  parentbased_always_off: (_env, sdk) => new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() }),
  parentbased_traceidratio: (env, sdk) =>
    new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(ratioFrom(env)) }),
};

export interface EnvSampler {
  readonly name: string;
  readonly sampler: Sampler;
}

/**
 * The sampler OTEL_TRACES_SAMPLER (with OTEL_TRACES_SAMPLER_ARG) names, or
 * undefined when unset (then the config's `sampleRatio` applies). The
 * environment wins over the config: the operator deploying the process sets it.
 */
export function tracesSamplerFromEnv(env: NodeJS.ProcessEnv): EnvSampler | undefined {
  const name = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase();
  if (!name) return undefined;
  const create = Object.hasOwn(SAMPLERS, name) ? SAMPLERS[name] : undefined;
  if (!create)
    throw new StartupError(
      `OTEL_TRACES_SAMPLER must be one of ${Object.keys(SAMPLERS).join(', ')}, got ${JSON.stringify(env.OTEL_TRACES_SAMPLER)}`,
    );
  return { name, sampler: create(env, loadTraceSdk()) };
}
