import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import {
  parseResourceAttributes,
  setupTracing,
  tracingResourceAttributes,
} from '../../src/observability/setup-tracing';

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
