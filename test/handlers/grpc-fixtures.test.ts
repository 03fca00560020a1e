import { join } from 'node:path';
import { printSchema, validateSchema } from 'graphql';
import { Registry } from 'prom-client';
import { grpcHandler } from '../../src/handlers/grpc/grpc-handler';
import { createSilentLogger } from '../../src/core/logger';
import type { LoadedSource } from '../../src/handlers/types';
import { FIXTURES, REPO_ROOT } from '../helpers/test-gateway';

const GRPC = join(FIXTURES, 'grpc');
const context = { configDir: REPO_ROOT, logger: createSilentLogger(), metrics: new Registry() };

async function load(protos: string[], includeDirs = [GRPC]): Promise<LoadedSource> {
  return grpcHandler.load(
    { name: 'fixture', kind: 'grpc', proto: protos, includeDirs, endpoint: '127.0.0.1:1' },
    context,
  );
}

async function withSource<T>(protos: string[], use: (source: LoadedSource) => T): Promise<T> {
  const source = await load(protos);
  try {
    return use(source);
  } finally {
    await source.close?.();
  }
}

describe('real-world protos (test/fixtures/real/grpc)', () => {
  const ENTRY_POINTS = [
    'helloworld.proto',
    'route_guide.proto',
    'health.proto',
    'channelz.proto',
    'examples/internal/proto/examplepb/echo_service.proto',
  ];

  it.each(ENTRY_POINTS)('%s loads into a valid schema', async (entry) => {
    await withSource([join(GRPC, entry)], (source) => {
      // A proto with no query method has no Query type of its own (the gateway's comes from other sources).
      expect(
        validateSchema(source.schema)
          .map((error) => error.message)
          .filter((message) => message !== 'Query root type must be provided.'),
      ).toEqual([]);
      expect(
        Object.keys(source.schema.getQueryType()?.getFields() ?? {}).length +
          Object.keys(source.schema.getMutationType()?.getFields() ?? {}).length,
      ).toBeGreaterThan(0);
    });
  });

  it('loads all five entry points together in one schema', async () => {
    await withSource(
      ENTRY_POINTS.map((entry) => join(GRPC, entry)),
      (source) => {
        expect(validateSchema(source.schema)).toEqual([]);
        expect(Object.keys(source.schema.getQueryType()!.getFields())).toEqual(
          expect.arrayContaining(['getFeature', 'check', 'getTopChannels']),
        );
        expect(Object.keys(source.schema.getSubscriptionType()!.getFields())).toEqual(
          expect.arrayContaining(['listFeatures', 'watch', 'sayHelloStreamReply']),
        );
      },
    );
  });

  it('maps helloworld: unary SayHello to a mutation, the server stream to a subscription only (no Query, no placeholder)', async () => {
    await withSource([join(GRPC, 'helloworld.proto')], (source) => {
      expect(Object.keys(source.schema.getMutationType()!.getFields())).toEqual(['sayHello']);
      expect(source.schema.getSubscriptionType()?.getFields().sayHelloStreamReply.type.toString()).toBe('HelloReply');
      expect(source.schema.getQueryType()).toBeUndefined();
    });
  });

  it('reports route_guide client-streaming and bidi methods as skipped', async () => {
    await withSource([join(GRPC, 'route_guide.proto')], (source) => {
      expect(source.warnings).toEqual([
        "RouteGuide.RecordRoute is client-streaming: skipped (map it with methods: { 'RouteGuide.RecordRoute': 'mutation' })",
        "RouteGuide.RouteChat is bidirectional-streaming: skipped (map it with methods: { 'RouteGuide.RouteChat': 'mutation' })",
      ]);
    });
  });

  it('maps health: a map of messages to key/value entries and a nested enum', async () => {
    await withSource([join(GRPC, 'health.proto')], (source) => {
      const sdl = printSchema(source.schema);
      expect(sdl).toContain('enum HealthCheckResponse_ServingStatus');
      expect(sdl).toMatch(/statuses: \[HealthListResponse_StatusesEntry!\]!/);
    });
  });

  it('maps channelz well-known types: Timestamp, Duration, Int64Value, Any and int64 ids', async () => {
    await withSource([join(GRPC, 'channelz.proto')], (source) => {
      const sdl = printSchema(source.schema);
      expect(sdl).toMatch(/lastCallStartedTimestamp: DateTime/);
      expect(sdl).toMatch(/channelId: Int64!/);
      expect(sdl).toMatch(/scalar JSON/);
    });
  });

  it('prefixes clashing names with their package only (sub.Status vs sub2.Status)', async () => {
    await withSource([join(GRPC, 'examples/internal/proto/examplepb/echo_service.proto')], (source) => {
      const names = Object.keys(source.schema.getTypeMap());
      expect(names).toEqual(expect.arrayContaining(['SimpleMessage']));
      expect(names.filter((name) => name.endsWith('StatusInput') || name.endsWith('_Status'))).toEqual(
        expect.arrayContaining([
          'grpc_gateway_examples_internal_proto_sub_StatusInput',
          'grpc_gateway_examples_internal_proto_sub2_Status',
        ]),
      );
    });
  });

  it('fails with one line naming the source when a proto does not parse', async () => {
    await expect(load([join(REPO_ROOT, 'test/fixtures/openapi-split/api.yaml')])).rejects.toThrow(
      /^source "fixture": cannot load proto .*api\.yaml: /,
    );
  });
});

describe('demo orders proto', () => {
  it('generates the same SDL every time (snapshot)', async () => {
    await withSource([join(REPO_ROOT, 'sources/orders/orders.proto')], (source) => {
      expect(printSchema(source.schema)).toMatchSnapshot();
      expect(source.batchEndpoints).toEqual([
        {
          batchField: 'getOrdersByIds',
          keysArgument: 'ids',
          keyField: 'id',
          typeName: 'Order',
          singleField: 'getOrder',
        },
      ]);
    });
  });
});
