import * as grpc from '@grpc/grpc-js';
import { context as otelContext, propagation } from '@opentelemetry/api';
import type * as protobuf from 'protobufjs';
import { grpcStatusError } from '../../core/errors';
import { forwardedHeaders } from '../forwarded-headers';
import type { GatewayContext } from '../../core/context';
import { TOOBJECT_OPTIONS } from './convert-values';

export interface GrpcClientOptions {
  source: string;
  endpoint: string;
  timeoutMs: number;
  headers: Record<string, string>;
  forwardHeaders: readonly string[];
  credentials: grpc.ChannelCredentials;
}

type Decoded = Record<string, unknown>;

interface MethodCall {
  path: string;
  serialize(value: Decoded): Buffer;
  deserialize(bytes: Buffer): Decoded;
}

/** One gRPC channel per source, shared by every service; calls built from protobufjs reflection. */
export class GrpcSourceClient {
  private readonly client: grpc.Client;

  constructor(private readonly options: GrpcClientOptions) {
    this.client = new grpc.Client(options.endpoint, options.credentials, { 'grpc.keepalive_time_ms': 30_000 });
  }

  private metadata(context: GatewayContext | undefined): grpc.Metadata {
    const metadata = new grpc.Metadata();
    for (const [key, value] of Object.entries(this.options.headers)) metadata.set(key.toLowerCase(), value);
    for (const [key, value] of Object.entries(forwardedHeaders(context, this.options.forwardHeaders))) metadata.set(key, value);
    const carrier: Record<string, string> = {};
    propagation.inject(otelContext.active(), carrier);
    for (const [key, value] of Object.entries(carrier)) metadata.set(key, value);
    return metadata;
  }

  private callOptions(): grpc.CallOptions {
    return { deadline: Date.now() + this.options.timeoutMs };
  }

  toGraphqlError(error: grpc.ServiceError) {
    const code = typeof error.code === 'number' ? error.code : grpc.status.UNKNOWN;
    return grpcStatusError(this.options.source, grpc.status[code] ?? 'UNKNOWN', code, error.details || error.message);
  }

  /** Path and (de)serializers per method, built on its first call and reused. */
  private readonly calls = new WeakMap<protobuf.Method, MethodCall>();

  private callOf(method: protobuf.Method): MethodCall {
    let call = this.calls.get(method);
    if (!call) {
      const requestType = method.resolvedRequestType!;
      const responseType = method.resolvedResponseType!;
      call = {
        path: `/${(method.parent as protobuf.Service).fullName.slice(1)}/${method.name}`,
        serialize: (value: Decoded) => Buffer.from(requestType.encode(requestType.fromObject(value)).finish()),
        deserialize: (bytes: Buffer) => responseType.toObject(responseType.decode(bytes), TOOBJECT_OPTIONS) as Decoded,
      };
      this.calls.set(method, call);
    }
    return call;
  }

  unary(method: protobuf.Method, request: Decoded, context: GatewayContext | undefined): Promise<Decoded> {
    const { path, serialize, deserialize } = this.callOf(method);
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(path, serialize, deserialize, request, this.metadata(context), this.callOptions(), (error, response) =>
        error ? reject(this.toGraphqlError(error)) : resolve(response as Decoded),
      );
    });
  }

  /** Client-streaming (or bidi) call fed from a list; answers the list of responses. */
  streamFromList(method: protobuf.Method, requests: Decoded[], context: GatewayContext | undefined): Promise<Decoded[]> {
    const { path, serialize, deserialize } = this.callOf(method);
    return new Promise((resolve, reject) => {
      if (!method.responseStream) {
        const call = this.client.makeClientStreamRequest(path, serialize, deserialize, this.metadata(context), this.callOptions(), (error, response) =>
          error ? reject(this.toGraphqlError(error)) : resolve([response as Decoded]),
        );
        for (const request of requests) call.write(request);
        call.end();
        return;
      }
      const call = this.client.makeBidiStreamRequest(path, serialize, deserialize, this.metadata(context), this.callOptions());
      const responses: Decoded[] = [];
      call.on('data', (response: Decoded) => responses.push(response));
      call.on('error', (error: grpc.ServiceError) => reject(this.toGraphqlError(error)));
      call.on('end', () => resolve(responses));
      for (const request of requests) call.write(request);
      call.end();
    });
  }

  /** Server-streaming call as an async iterable; a stream error surfaces as a typed error. */
  async *serverStream(method: protobuf.Method, request: Decoded, context: GatewayContext | undefined, deadline = true): AsyncGenerator<Decoded> {
    const { path, serialize, deserialize } = this.callOf(method);
    const call = this.client.makeServerStreamRequest(path, serialize, deserialize, request, this.metadata(context), deadline ? this.callOptions() : {});
    try {
      for await (const message of call) yield message as Decoded;
    } catch (error) {
      throw this.toGraphqlError(error as grpc.ServiceError);
    } finally {
      call.cancel();
    }
  }

  close(): void {
    this.client.close();
  }
}
