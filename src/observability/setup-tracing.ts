import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { OTLPTraceExporter as OtlpTraceExporterClass } from '@opentelemetry/exporter-trace-otlp-http';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { TracingConfig } from './observability-options';
import {
  isOtelSdkDisabled,
  loadTraceSdk,
  otlpProtocolFromEnv,
  tracesSamplerFromEnv,
  type OtlpProtocol,
} from './otel-environment';
import { StartupError } from '../core/errors';

export interface TracingSetupOptions extends TracingConfig {
  /**
   * OTLP/HTTP base URL (`/v1/traces` is appended unless present).
   * @default LOOM_OTLP_ENDPOINT, else OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (full URL), else OTEL_EXPORTER_OTLP_ENDPOINT
   */
  otlpEndpoint?: string;
  /** Extra span processors (tests: a SimpleSpanProcessor around an InMemorySpanExporter). */
  spanProcessors?: SpanProcessor[];
  /** Environment to read endpoints from. @default process.env */
  env?: NodeJS.ProcessEnv;
}

export interface Tracing {
  /** Whether spans are recorded (an exporter or span processor is configured). */
  readonly recording: boolean;
  /** Where and how spans are exported, for the start-up log; undefined when nothing is exported. */
  readonly export?: { readonly url: string; readonly protocol: OtlpProtocol; readonly sampler: string };
  /** Flushes pending spans and unregisters everything setupTracing registered. */
  shutdown(): Promise<void>;
}

/**
 * The OTLP exporter (and its protobuf and HTTP stack) loads only when there is
 * somewhere to export to. Both are the OpenTelemetry packages: JSON or
 * protobuf bodies over HTTP, headers, timeout and compression from the
 * standard OTEL_EXPORTER_OTLP_* variables.
 */
function createOtlpExporter(protocol: OtlpProtocol, url: string): SpanExporter {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { OTLPTraceExporter } = (
    protocol === 'http/json'
      ? require('@opentelemetry/exporter-trace-otlp-http')
      : require('@opentelemetry/exporter-trace-otlp-proto')
  ) as { OTLPTraceExporter: typeof OtlpTraceExporterClass };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return new OTLPTraceExporter({ url });
}

/** With the SDK: only when a tracer provider is made. */
function loadResources(): typeof import('@opentelemetry/resources') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
}

function tracesUrl(base: string): string {
  return /\/v1\/traces\/?$/.test(base) ? base : `${base.replace(/\/+$/, '')}/v1/traces`;
}

/** The OTLP/HTTP traces URL from the options or the environment, if any. */
export function otlpTracesUrl({ otlpEndpoint, env = process.env }: TracingSetupOptions): string | undefined {
  const base = otlpEndpoint || env.LOOM_OTLP_ENDPOINT;
  if (base) return tracesUrl(base);
  // The standard variables: the signal-specific one is a full URL, the general one a base.
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return tracesUrl(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  return undefined;
}

/**
 * `OTEL_RESOURCE_ATTRIBUTES` as the OpenTelemetry spec writes it:
 * `key=value` pairs split by commas, values percent-encoded. A malformed pair
 * is skipped rather than failing start-up over a label.
 */
export function parseResourceAttributes(text: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const pair of (text ?? '').split(',')) {
    const equals = pair.indexOf('=');
    const key = pair.slice(0, equals).trim();
    if (equals < 1 || key === '') continue;
    try {
      attributes[key] = decodeURIComponent(pair.slice(equals + 1).trim());
    } catch {
      // Broken percent-encoding: skip this pair only.
    }
  }
  return attributes;
}

/**
 * Resource attributes of exported spans: `OTEL_RESOURCE_ATTRIBUTES`, then
 * `service.name` from `OTEL_SERVICE_NAME`, else the config's `serviceName`,
 * else the attribute list's, else 'loom'. The environment wins over the config
 * because the operator deploying the process sets it.
 */
export function tracingResourceAttributes(
  serviceName: string | undefined,
  env: NodeJS.ProcessEnv,
): Record<string, string> {
  const attributes = parseResourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES);
  const name = env.OTEL_SERVICE_NAME || serviceName || attributes[ATTR_SERVICE_NAME] || 'loom';
  return { ...attributes, [ATTR_SERVICE_NAME]: name };
}

/** Where spans go and how they are sampled: the options, then the standard environment variables. */
function planTracing(options: TracingSetupOptions) {
  const { sampleRatio = 1, spanProcessors = [], env = process.env } = options;
  if (!(sampleRatio >= 0 && sampleRatio <= 1))
    throw new StartupError(`sampleRatio must be from 0 to 1, got ${sampleRatio}`);
  if (isOtelSdkDisabled(env)) return { processors: [], sampler: undefined, export: undefined };
  const fromEnv = tracesSamplerFromEnv(env);
  // always_off records nothing, ever: no provider, so spans stay the API's free no-ops.
  if (fromEnv?.name === 'always_off') return { processors: [], sampler: undefined, export: undefined };
  const url = otlpTracesUrl(options);
  const protocol = url ? otlpProtocolFromEnv(env) : undefined;
  // Nowhere to send spans: no provider, so the SDK need not load.
  if (!url && spanProcessors.length === 0) return { processors: [], sampler: undefined, export: undefined };
  const sdk = loadTraceSdk();
  const exporter = url && protocol ? new sdk.BatchSpanProcessor(createOtlpExporter(protocol, url)) : undefined;
  const sampler =
    fromEnv?.sampler ?? new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(sampleRatio) });
  return {
    processors: exporter ? [...spanProcessors, exporter] : spanProcessors,
    sampler,
    export: url && protocol ? { url, protocol, sampler: sampler.toString() } : undefined,
  };
}

/**
 * Process-wide tracing, called once at start-up (`loom serve`, tests, bench).
 * Always registers an AsyncLocalStorage context manager and the W3C trace
 * context + baggage propagators, so an incoming `traceparent` reaches the
 * upstream calls even when nothing is exported. Registers a tracer provider
 * only when there is somewhere to send spans (an OTLP endpoint or explicit
 * span processors) and something may be sampled; otherwise spans are no-ops.
 * The sampler is OTEL_TRACES_SAMPLER's when set, else parent-based with the
 * config's ratio; OTEL_SDK_DISABLED=true registers no provider.
 */
export function setupTracing(options: TracingSetupOptions = {}): Tracing {
  const { serviceName, env = process.env } = options;
  const plan = planTracing(options);
  const { processors, sampler } = plan;
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  const provider =
    processors.length > 0 && sampler
      ? new (loadTraceSdk().NodeTracerProvider)({
          resource: loadResources().resourceFromAttributes(tracingResourceAttributes(serviceName, env)),
          sampler,
          spanProcessors: processors,
        })
      : undefined;
  if (provider) trace.setGlobalTracerProvider(provider);
  return {
    recording: provider !== undefined,
    export: provider ? plan.export : undefined,
    shutdown: async () => {
      await provider?.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
