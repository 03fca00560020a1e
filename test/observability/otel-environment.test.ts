import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import {
  parseResourceAttributes,
  setupTracing,
  tracingResourceAttributes,
} from '../../src/observability/setup-tracing';
import { isOtelSdkDisabled, otlpProtocolFromEnv, tracesSamplerFromEnv } from '../../src/observability/otel-environment';
import { StartupError } from '../../src/core/errors';

describe('OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES', () => {
  it('parse the standard attribute list, percent-decoded, skipping malformed pairs', () => {
    expect(parseResourceAttributes('deployment.environment=prod, team=bff%20platform,broken,=x,bad=%E0%A4%A')).toEqual({
      'deployment.environment': 'prod',
      team: 'bff platform',
    });
    expect(parseResourceAttributes(undefined)).toEqual({});
  });

  it('pick service.name: OTEL_SERVICE_NAME, then the config, then the attribute list, then loom', () => {
    const attributes = 'service.name=from-attributes,service.version=1.2.3';
    expect(
      tracingResourceAttributes('from-config', { OTEL_SERVICE_NAME: 'from-env', OTEL_RESOURCE_ATTRIBUTES: attributes }),
    ).toEqual({
      'service.name': 'from-env',
      'service.version': '1.2.3',
    });
    expect(tracingResourceAttributes('from-config', { OTEL_RESOURCE_ATTRIBUTES: attributes })).toEqual({
      'service.name': 'from-config',
      'service.version': '1.2.3',
    });
    expect(tracingResourceAttributes(undefined, { OTEL_RESOURCE_ATTRIBUTES: attributes })).toEqual({
      'service.name': 'from-attributes',
      'service.version': '1.2.3',
    });
    expect(tracingResourceAttributes(undefined, {})).toEqual({ 'service.name': 'loom' });
  });

  it('land on the resource of recorded spans', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = setupTracing({
      serviceName: 'from-config',
      spanProcessors: [new SimpleSpanProcessor(exporter)],
      env: { OTEL_SERVICE_NAME: 'checkout-gateway', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=staging' },
    });
    try {
      trace.getTracer('test').startSpan('probe').end();
      const [span] = exporter.getFinishedSpans();
      expect(span?.resource.attributes).toMatchObject({
        'service.name': 'checkout-gateway',
        'deployment.environment': 'staging',
      });
    } finally {
      await tracing.shutdown();
    }
  });
});

describe('OTEL_TRACES_SAMPLER, OTEL_EXPORTER_OTLP_PROTOCOL and OTEL_SDK_DISABLED', () => {
  it.each([
    ['always_on', undefined, 'AlwaysOnSampler'],
    ['ALWAYS_ON', undefined, 'AlwaysOnSampler'],
    ['traceidratio', '0.25', 'TraceIdRatioBased{0.25}'],
    ['traceidratio', undefined, 'TraceIdRatioBased{1}'],
    ['parentbased_always_on', undefined, 'ParentBased{root=AlwaysOnSampler, '],
    ['parentbased_always_off', undefined, 'ParentBased{root=AlwaysOffSampler, '],
    ['parentbased_traceidratio', '0', 'ParentBased{root=TraceIdRatioBased{0}, '],
  ])('%s (arg %s) is %s', (name, arg, described) => {
    const chosen = tracesSamplerFromEnv({ OTEL_TRACES_SAMPLER: name, OTEL_TRACES_SAMPLER_ARG: arg });
    expect(chosen?.sampler.toString()).toContain(described);
  });

  it('leaves the config ratio in charge when unset', () => {
    expect(tracesSamplerFromEnv({})).toBeUndefined();
    expect(tracesSamplerFromEnv({ OTEL_TRACES_SAMPLER: ' ' })).toBeUndefined();
  });

  it.each([
    [
      { OTEL_TRACES_SAMPLER: 'jaeger_remote' },
      'OTEL_TRACES_SAMPLER must be one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio, got "jaeger_remote"',
    ],
    [{ OTEL_TRACES_SAMPLER: '__proto__' }, 'OTEL_TRACES_SAMPLER must be one of'],
    [
      { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' },
      'OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, got "1.5"',
    ],
    [
      { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: 'half' },
      'OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, got "half"',
    ],
  ])('refuses %j as a start-up error', (env, message) => {
    expect(() => tracesSamplerFromEnv(env)).toThrow(StartupError);
    expect(() => tracesSamplerFromEnv(env)).toThrow(message);
  });

  it('takes the traces protocol, then the general one, else http/protobuf', () => {
    expect(otlpProtocolFromEnv({})).toBe('http/protobuf');
    expect(otlpProtocolFromEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toBe('http/json');
    expect(
      otlpProtocolFromEnv({
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
      }),
    ).toBe('http/protobuf');
    expect(() => otlpProtocolFromEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(
      new StartupError(
        'OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported: use http/protobuf or http/json (a collector takes both on port 4318)',
      ),
    );
    expect(() => otlpProtocolFromEnv({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'thrift' })).toThrow(
      new StartupError('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL must be http/protobuf or http/json, got "thrift"'),
    );
  });

  it('reads OTEL_SDK_DISABLED as the spec does: only "true", any case', () => {
    expect(isOtelSdkDisabled({ OTEL_SDK_DISABLED: 'true' })).toBe(true);
    expect(isOtelSdkDisabled({ OTEL_SDK_DISABLED: 'TRUE' })).toBe(true);
    expect(isOtelSdkDisabled({ OTEL_SDK_DISABLED: '1' })).toBe(false);
    expect(isOtelSdkDisabled({})).toBe(false);
  });

  it.each([
    [{ OTEL_SDK_DISABLED: 'true' }, false, false],
    [{ OTEL_TRACES_SAMPLER: 'always_off' }, false, false],
    // A provider, for callers' sampled traces; new root spans are not sampled.
    [{ OTEL_TRACES_SAMPLER: 'parentbased_always_off' }, true, false],
    [{}, true, true],
  ])('with %j: a provider %s, a root span recorded %s', async (env, provider, recorded) => {
    const exporter = new InMemorySpanExporter();
    const tracing = setupTracing({ spanProcessors: [new SimpleSpanProcessor(exporter)], env });
    try {
      expect(tracing.recording).toBe(provider);
      // Nothing records: the span is a non-recording one, and Loom's hot paths skip their work on it.
      const span = trace.getTracer('test').startSpan('probe');
      expect(span.isRecording()).toBe(recorded);
      span.end();
      expect(exporter.getFinishedSpans()).toHaveLength(recorded ? 1 : 0);
    } finally {
      await tracing.shutdown();
    }
  });

  it('reports where and how it exports, for the start-up log', async () => {
    const tracing = setupTracing({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_TRACES_SAMPLER: 'always_on' },
    });
    try {
      expect(tracing.export).toEqual({
        url: 'http://127.0.0.1:1/v1/traces',
        protocol: 'http/protobuf',
        sampler: 'AlwaysOnSampler',
      });
    } finally {
      await tracing.shutdown();
    }
    const quiet = setupTracing({ env: {} });
    expect(quiet.export).toBeUndefined();
    await quiet.shutdown();
  });
});
