import * as grpc from '@grpc/grpc-js';
import { context as otelContext, propagation } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import type * as protobuf from 'protobufjs';
import { grpcStatusError } from '../../core/errors';
import type { GatewayContext } from '../../core/context';
import type { Logger } from '../../core/logger';
import type { Sleep } from '../../upstream/backoff-delay';
import { createEndpointCaller, type EndpointCaller } from '../../upstream/create-endpoint-caller';
import type { EndpointHealth } from '../../upstream/endpoint-pool';
import { classifyGrpcError, grpcStatusOf } from '../../upstream/grpc-failure';
import { createShadowResultReporter } from '../../upstream/report-shadow-result';
import {
  createShadowComparer,
  hashBody,
  type ShadowAnswer,
  type ShadowComparer,
  type ShadowResult,
} from '../../upstream/shadow-traffic';
import { resolveUpstreamPolicy, type UpstreamPolicyOptions } from '../../upstream/upstream-policy-options';
import { forwardedHeaders } from '../forwarded-headers';
import { TOOBJECT_OPTIONS } from './convert-values';
import { GrpcEndpointChannel } from './grpc-endpoint-channel';

export interface GrpcClientOptions {
  source: string;
  /** The source's endpoints (`host:port`, optionally `grpc://host:port`); calls are balanced over them. */
  endpoints: readonly string[];
  timeoutMs: number;
  /** Longest one connection attempt may stay CONNECTING before the endpoint's channel is replaced. */
  connectTimeoutMs: number;
  headers: Record<string, string>;
  /** Send the request id as `x-request-id` metadata. @default true */
  propagateRequestId?: boolean;
  forwardHeaders: readonly string[];
  credentials: grpc.ChannelCredentials;
  /** Balancing, breakers, ejection, retries, backup, shadow (see UpstreamPolicyOptions). Validated here. */
  upstream?: UpstreamPolicyOptions;
  /** The gateway registry for breaker, retry and shadow metrics and the health board; none when absent. */
  metrics?: Registry;
  logger?: Logger;
  /** Told when an endpoint's stuck channel is replaced. */
  onChannelReplaced?: (endpoint: string, stuckForMs: number) => void;
  /** Called with every shadow comparison (tests, custom reporting). */
  onShadowResult?: (result: ShadowResult) => void;
  /** Test seams: the retry backoff sleep and the jitter/sampling random source. */
  sleep?: Sleep;
  random?: () => number;
}

type Decoded = Record<string, unknown>;

interface MethodCall {
  path: string;
  serialize(value: Decoded): Buffer;
  deserialize(bytes: Buffer): Decoded;
}

/** Runs one call on a channel within `timeoutMs`; cancelled when `signal` aborts. */
type ChannelCall<Answer> = (
  client: grpc.Client,
  metadata: grpc.Metadata,
  timeoutMs: number,
  signal?: AbortSignal,
) => Promise<Answer>;

const addressOf = (endpoint: string) => endpoint.replace(/^grpc:\/\//, '');

/** A gRPC status that is the backend's answer (NOT_FOUND...) compares by code; an endpoint failure is no answer. */
const answerOfError = (error: unknown): ShadowAnswer | undefined => {
  const code = grpcStatusOf(error);
  return code === undefined || classifyGrpcError(error).failed ? undefined : { status: code, bodyHash: hashBody('') };
};
const answerOfResponse = (response: unknown): ShadowAnswer => ({
  status: grpc.status.OK,
  bodyHash: hashBody(JSON.stringify(response)),
});

/**
 * The gRPC transport of a source: one channel per endpoint, calls built from
 * protobufjs reflection. The endpoint of each call, its breaker, ejection and
 * retries come from the shared endpoint caller (src/upstream), as for HTTP.
 */
export class GrpcSourceClient {
  private readonly channels = new Map<string, GrpcEndpointChannel>();
  private readonly caller: EndpointCaller;
  private readonly shadow?: { comparer: ShadowComparer; channel: GrpcEndpointChannel; timeoutMs: number };

  constructor(private readonly options: GrpcClientOptions) {
    const { source } = options;
    const policy = resolveUpstreamPolicy(`source "${source}"`, options.upstream, 'address');
    this.caller = createEndpointCaller({
      source,
      endpoints: options.endpoints,
      policy,
      timeoutMs: options.timeoutMs,
      metrics: options.metrics,
      logger: options.logger,
      label: addressOf,
      sleep: options.sleep,
      random: options.random,
    });
    for (const endpoint of [...options.endpoints, ...(policy.backupEndpoint ? [policy.backupEndpoint] : [])]) {
      this.channels.set(endpoint, this.openChannel(endpoint));
    }
    if (policy.shadow) {
      const onResult = createShadowResultReporter({
        source,
        metrics: options.metrics,
        logger: options.logger,
        onShadowResult: options.onShadowResult,
      });
      this.shadow = {
        comparer: createShadowComparer({ shadow: policy.shadow, random: options.random, onResult }),
        channel: this.openChannel(policy.shadow.endpoint),
        timeoutMs: policy.shadow.timeoutMs,
      };
    }
  }

  private openChannel(endpoint: string): GrpcEndpointChannel {
    return new GrpcEndpointChannel({
      address: addressOf(endpoint),
      credentials: this.options.credentials,
      connectTimeoutMs: this.options.connectTimeoutMs,
      onChannelReplaced: (stuckForMs) => this.options.onChannelReplaced?.(endpoint, stuckForMs),
    });
  }

  /** Breaker state, ejection and calls in flight per endpoint. */
  health(): EndpointHealth[] {
    return this.caller.health();
  }

  private metadata(context: GatewayContext | undefined): grpc.Metadata {
    const metadata = new grpc.Metadata();
    for (const [key, value] of Object.entries(this.options.headers)) metadata.set(key.toLowerCase(), value);
    for (const [key, value] of Object.entries(
      forwardedHeaders(context, this.options.forwardHeaders, this.options.propagateRequestId ?? true),
    ))
      metadata.set(key, value);
    const carrier: Record<string, string> = {};
    propagation.inject(otelContext.active(), carrier);
    for (const [key, value] of Object.entries(carrier)) metadata.set(key, value);
    return metadata;
  }

  toGraphqlError(error: grpc.ServiceError) {
    const code = typeof error.code === 'number' ? error.code : grpc.status.UNKNOWN;
    return grpcStatusError(this.options.source, grpc.status[code] ?? 'UNKNOWN', code, error.details || error.message);
  }

  /** gRPC statuses become typed errors; the caller's own (breaker open, deadline) already are. */
  private typedError(error: unknown): unknown {
    return grpcStatusOf(error) === undefined ? error : this.toGraphqlError(error as grpc.ServiceError);
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

  /**
   * Runs `send` on an endpoint the caller picks (retried on another one when
   * allowed) and mirrors the call to the shadow endpoint when sampled.
   */
  private async balanced<Answer>(
    context: GatewayContext | undefined,
    send: ChannelCall<Answer>,
    mirror: boolean,
  ): Promise<Answer> {
    const metadata = this.metadata(context);
    const primary = this.caller.call({
      run: (endpoint, timeoutMs) => send(this.channels.get(endpoint)!.client, metadata.clone(), timeoutMs),
      classifyError: classifyGrpcError,
    });
    const shadow = this.shadow;
    if (mirror && shadow?.comparer.sample()) {
      shadow.comparer.compare(
        (signal) =>
          send(shadow.channel.client, metadata.clone(), shadow.timeoutMs, signal).then(answerOfResponse, (error) =>
            // Cancelled by us (shadow timeout, close): no answer to compare, whatever status grpc-js gives it.
            signal.aborted ? Promise.reject(error) : (answerOfError(error) ?? Promise.reject(error)),
          ),
        primary.then(answerOfResponse, answerOfError),
      );
    }
    try {
      return await primary;
    } catch (error) {
      throw this.typedError(error);
    }
  }

  unary(method: protobuf.Method, request: Decoded, context: GatewayContext | undefined): Promise<Decoded> {
    const { path, serialize, deserialize } = this.callOf(method);
    const send: ChannelCall<Decoded> = (client, metadata, timeoutMs, signal) =>
      new Promise((resolve, reject) => {
        const call = client.makeUnaryRequest(
          path,
          serialize,
          deserialize,
          request,
          metadata,
          { deadline: Date.now() + timeoutMs },
          (error, response) => (error ? reject(error) : resolve(response as Decoded)),
        );
        signal?.addEventListener('abort', () => call.cancel(), { once: true });
      });
    return this.balanced(context, send, true);
  }

  /** Client-streaming (or bidi) call fed from a list; answers the list of responses. Not mirrored. */
  streamFromList(
    method: protobuf.Method,
    requests: Decoded[],
    context: GatewayContext | undefined,
  ): Promise<Decoded[]> {
    const { path, serialize, deserialize } = this.callOf(method);
    const send: ChannelCall<Decoded[]> = (client, metadata, timeoutMs) =>
      new Promise((resolve, reject) => {
        const options = { deadline: Date.now() + timeoutMs };
        if (!method.responseStream) {
          const call = client.makeClientStreamRequest(
            path,
            serialize,
            deserialize,
            metadata,
            options,
            (error, response) => (error ? reject(error) : resolve([response as Decoded])),
          );
          for (const request of requests) call.write(request);
          call.end();
          return;
        }
        const call = client.makeBidiStreamRequest(path, serialize, deserialize, metadata, options);
        const responses: Decoded[] = [];
        call.on('data', (response: Decoded) => responses.push(response));
        call.on('error', reject);
        call.on('end', () => resolve(responses));
        for (const request of requests) call.write(request);
        call.end();
      });
    return this.balanced(context, send, false);
  }

  /**
   * Server-streaming call as an async iterable; a stream error surfaces as a
   * typed error. Balanced and guarded by the endpoint's breaker, but never
   * retried or mirrored: messages may already have reached the client.
   */
  async *serverStream(
    method: protobuf.Method,
    request: Decoded,
    context: GatewayContext | undefined,
    deadline = true,
  ): AsyncGenerator<Decoded> {
    const { path, serialize, deserialize } = this.callOf(method);
    const lease = this.caller.lease();
    const client = this.channels.get(lease.endpoint)!.client;
    const options = deadline ? { deadline: Date.now() + this.options.timeoutMs } : {};
    const call = client.makeServerStreamRequest(path, serialize, deserialize, request, this.metadata(context), options);
    // The client went away (SSE request aborted, WebSocket operation completed or socket closed): cancel
    // now. return() alone would wait in the queue of this generator until the backend's next message.
    const signal = context?.request?.signal;
    const cancel = () => call.cancel();
    if (signal?.aborted) cancel();
    else signal?.addEventListener('abort', cancel, { once: true });
    let failed = false;
    try {
      for await (const message of call) yield message as Decoded;
    } catch (error) {
      failed = classifyGrpcError(error).failed;
      throw this.toGraphqlError(error as grpc.ServiceError);
    } finally {
      signal?.removeEventListener('abort', cancel);
      lease.finish(failed);
      call.cancel();
    }
  }

  async close(): Promise<void> {
    this.caller.close();
    await this.shadow?.comparer.close();
    this.shadow?.channel.close();
    for (const channel of this.channels.values()) channel.close();
  }
}
