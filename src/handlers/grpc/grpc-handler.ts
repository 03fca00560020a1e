import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createUpstreamCredentials } from '../../upstream/credentials/create-upstream-credentials';
import * as grpc from '@grpc/grpc-js';
import type * as protobuf from 'protobufjs';
import { createDefaultExecutor } from '@graphql-tools/delegate';
import { ConfigError } from '../../core/errors';
import { findBatchEndpoints } from '../find-batch-endpoints';
import type { HandlerContext, LoadedSource, SourceHandler } from '../types';
import { buildGrpcSchema } from './build-grpc-schema';
import { GrpcSourceClient } from './grpc-client';
import { listServices, loadProtoRoot } from './load-proto-root';
import { DEFAULT_GRPC_CONNECT_TIMEOUT_MS, type GrpcSourceOptions } from './grpc-source-options';

function credentialsFor(source: GrpcSourceOptions, configDir: string): grpc.ChannelCredentials {
  // `tls` and `credentials.tls` say the same (PEM files); the client certificate makes it mTLS.
  const tls = source.tls ?? source.credentials?.tls;
  if (!tls) return grpc.credentials.createInsecure();
  const read = (file?: string) => (file ? readFileSync(resolve(configDir, file)) : null);
  return grpc.credentials.createSsl(read(tls.ca), read(tls.key), read(tls.cert));
}

/** Bearer or OAuth2 token metadata per call, when the source has `credentials`. */
function authorizationFor(source: GrpcSourceOptions, context: HandlerContext) {
  if (!source.credentials?.bearer && !source.credentials?.oauth2) return undefined;
  const credentials = createUpstreamCredentials(
    { ...source.credentials, tls: undefined },
    { source: source.name, logger: context.logger, baseDir: context.configDir, redis: context.redis },
  );
  return () => credentials.headersFor({ method: 'POST', target: '/' });
}

/** `services` by full name, in the protos' order; an unknown name fails start-up. */
function chooseServices(source: GrpcSourceOptions, declared: readonly protobuf.Service[]): protobuf.Service[] {
  if (!source.services) return [...declared];
  const fullName = (service: protobuf.Service) => service.fullName.replace(/^\./, '');
  for (const wanted of source.services) {
    if (!declared.some((service) => fullName(service) === wanted)) {
      throw new ConfigError(
        `source "${source.name}": services: no service "${wanted}" in the protos (they declare ${declared.map(fullName).join(', ')})`,
      );
    }
  }
  return declared.filter((service) => source.services!.includes(fullName(service)));
}

export const grpcHandler: SourceHandler<GrpcSourceOptions> = {
  kind: 'grpc',
  async load(source: GrpcSourceOptions, context: HandlerContext): Promise<LoadedSource> {
    const protos = Array.isArray(source.proto) ? source.proto : [source.proto];
    let root;
    try {
      root = loadProtoRoot(protos, source.includeDirs ?? []);
    } catch (error) {
      throw new ConfigError(
        `source "${source.name}": cannot load proto ${protos.join(', ')}: ${(error as Error).message.split('\n')[0]}`,
      );
    }
    const declared = listServices(root);
    if (declared.length === 0)
      throw new ConfigError(`source "${source.name}": ${protos.join(', ')} declares no service`);
    const services = chooseServices(source, declared);
    const logger = context.logger.child({ source: source.name });
    const client = new GrpcSourceClient({
      source: source.name,
      endpoints: [source.endpoint!].flat(),
      timeoutMs: source.timeoutMs ?? 10_000,
      connectTimeoutMs: source.connectTimeoutMs ?? DEFAULT_GRPC_CONNECT_TIMEOUT_MS,
      headers: source.headers ?? {},
      forwardHeaders: source.forwardHeaders?.map((header) => header.toLowerCase()) ?? [],
      propagateRequestId: source.propagateRequestId !== false,
      credentials: credentialsFor(source, context.configDir),
      authorization: authorizationFor(source, context),
      upstream: source.upstream,
      metrics: context.metrics,
      logger,
      onChannelReplaced: (endpoint, stuckForMs) =>
        context.logger.warn(
          { source: source.name, endpoint, stuckForMs },
          'grpc channel stuck connecting; replaced by a new one',
        ),
    });
    const { schema, executableSchema, warnings } = buildGrpcSchema({
      services,
      methods: source.methods,
      caller: client,
      source: source.name,
    });
    return {
      name: source.name,
      kind: 'grpc',
      schema,
      executor: createDefaultExecutor(executableSchema),
      batchEndpoints: findBatchEndpoints(schema),
      warnings,
      close: () => client.close(),
    };
  },
};
