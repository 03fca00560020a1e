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
  /** Longest one connection attempt may stay CONNECTING before the channel is replaced. */
  connectTimeoutMs: number;
  headers: Record<string, string>;
  /** Send the request id as `x-request-id` metadata. */
  propagateRequestId: boolean;
  forwardHeaders: readonly string[];
  credentials: grpc.ChannelCredentials;
  /** Told when a stuck channel is replaced. */
  onChannelReplaced?: (stuckForMs: number) => void;
}

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.keepalive_time_ms': 30_000,
  // A replacement channel must get subchannels of its own: from the process-wide
  // pool it could take back the stuck one it replaces.
  'grpc.use_local_subchannel_pool': 1,
};

type Decoded = Record<string, unknown>;

interface MethodCall {
  path: string;
  serialize(value: Decoded): Buffer;
  deserialize(bytes: Buffer): Decoded;
}

/** One gRPC channel per source, shared by every service; calls built from protobufjs reflection. */
export class GrpcSourceClient {
  private client: grpc.Client;
  private closed = false;

  constructor(private readonly options: GrpcClientOptions) {
    this.client = this.openChannel();
  }

  private openChannel(): grpc.Client {
    const client = new grpc.Client(this.options.endpoint, this.options.credentials, CHANNEL_OPTIONS);
    this.boundHandshakes(client);
    return client;
  }

  /**
   * grpc-js puts no deadline on a connection attempt: an endpoint that accepts
   * TCP but never sends its HTTP/2 SETTINGS keeps the channel CONNECTING for
   * good, and every call fails "Waiting for LB pick" long after the endpoint
   * heals. So each stay in CONNECTING gets `connectTimeoutMs`; past it the
   * channel is replaced by a fresh one, whose first call connects anew.
   * Calls still waiting on the stuck channel fail at once with UNAVAILABLE
   * rather than at their deadline. (The stuck socket itself is grpc-js's; it
   * goes when the peer closes it.)
   */
  private boundHandshakes(client: grpc.Client): void {
    const channel = client.getChannel();
    const state = channel.getConnectivityState(false);
    if (state === grpc.connectivityState.SHUTDOWN) return;
    const connecting = state === grpc.connectivityState.CONNECTING;
    const since = Date.now();
    channel.watchConnectivityState(state, connecting ? since + this.options.connectTimeoutMs : Infinity, (deadlinePassed) => {
      if (client !== this.client || this.closed) return;
      if (!deadlinePassed) return this.boundHandshakes(client);
      this.client = this.openChannel();
      client.close();
      this.options.onChannelReplaced?.(Date.now() - since);
    });
  }

  private metadata(context: GatewayContext | undefined): grpc.Metadata {
    const metadata = new grpc.Metadata();
    for (const [key, value] of Object.entries(this.options.headers)) metadata.set(key.toLowerCase(), value);
    for (const [key, value] of Object.entries(forwardedHeaders(context, this.options.forwardHeaders, this.options.propagateRequestId))) metadata.set(key, value);
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
    this.closed = true;
    this.client.close();
  }
}
