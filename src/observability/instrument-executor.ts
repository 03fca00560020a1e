import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { ATTR_HTTP_RESPONSE_STATUS_CODE } from '@opentelemetry/semantic-conventions';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import {
  isAsyncIterable,
  type ExecutionRequest,
  type ExecutionResult,
  type Executor,
  type MaybeAsyncIterable,
  type MaybePromise,
} from '@graphql-tools/utils';
import type { Registry } from 'prom-client';
import type { Logger } from '../core/logger';
import { rootFieldsOfRequest, type RootField } from '../core/execution-request-fields';
import { getUpstreamMetrics } from './gateway-metrics';
import { labelledChildren } from './labelled-children';
import { getRecordOfContext } from './request-record';
import { isPromiseLike } from '../core/is-promise-like';
import { getTracer, NO_SPAN, SPAN_ATTRIBUTES, tracingOff } from './tracing-constants';

export interface InstrumentedSource {
  /** Source name: span attribute and metric label. */
  name: string;
  /** Source kind (openapi, grpc, soap, graphql), on the span. */
  kind: string;
}

export interface InstrumentationContext {
  /** The gateway's registry. */
  metrics: Registry;
  /** Failed calls are logged here at warn, with the request id (the source's logger in the gateway). */
  logger?: Logger;
}

type UpstreamError = Pick<GraphQLError | GraphQLFormattedError, 'message' | 'extensions'>;

interface UpstreamCall {
  span: Span;
  startedAt: number;
  request: ExecutionRequest;
  /** Root fields, e.g. `getCustomer`. */
  operation: string;
}

interface CallOutcome {
  /** `ok`, the upstream HTTP status, or the gRPC status name. */
  status: string;
  errors: readonly UpstreamError[];
}

/** The label of each root-field list (rootFieldsOfRequest hands out one list per document and operation). */
const labelOfFields = new WeakMap<readonly RootField[], string>();

/** Root fields the call asks for, e.g. `getCustomer` or `listProducts,getProduct`. */
export function rootFieldsOf(request: ExecutionRequest): string {
  const fields = rootFieldsOfRequest(request);
  let label = labelOfFields.get(fields);
  if (label === undefined)
    labelOfFields.set(fields, (label = fields.map((field) => field.fieldName).join(',') || 'unknown'));
  return label;
}

function statusOf(errors: readonly UpstreamError[]): string {
  if (errors.length === 0) return 'ok';
  for (const error of errors) {
    const upstreamStatus = error.extensions?.upstreamStatus;
    if (typeof upstreamStatus === 'number') return String(upstreamStatus);
    const code = error.extensions?.code;
    if (typeof code === 'string' && code.startsWith('GRPC_')) return code.slice('GRPC_'.length);
  }
  return 'error';
}

function outcomeOf(result: unknown): CallOutcome {
  const errors = isAsyncIterable(result) ? [] : ((result as ExecutionResult | undefined)?.errors ?? []);
  return { status: statusOf(errors), errors };
}

function codeOf(error: UpstreamError): string {
  const code = error.extensions?.code;
  return typeof code === 'string' && code ? code : 'UNKNOWN';
}

/**
 * The outermost executor wrapper: one CLIENT span and one set of metrics per
 * upstream call (retries inside it count once), with the source, the root
 * fields, the upstream status (HTTP status or gRPC code) and the errors. The
 * span is active while the call runs, so transports inject its `traceparent`
 * and inner policies can add events (e.g. `retry`) to it.
 */
export function instrumentExecutor(
  source: InstrumentedSource,
  executor: Executor,
  { metrics: registry, logger }: InstrumentationContext,
): Executor {
  const metrics = getUpstreamMetrics(registry);
  const duration = metrics.duration.labels({ source: source.name });
  const calls = labelledChildren((status) => metrics.calls.labels(source.name, status));

  const finish = ({ span, startedAt, request, operation }: UpstreamCall, { status, errors }: CallOutcome) => {
    duration.observe((performance.now() - startedAt) / 1000);
    calls(status).inc();
    const record = getRecordOfContext(request.context);
    if (record) record.upstreamCalls += 1;
    span.setAttribute(SPAN_ATTRIBUTES.upstreamStatus, status);
    if (/^\d+$/.test(status)) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, Number(status));
    else if (status !== 'ok' && status !== 'error') span.setAttribute(SPAN_ATTRIBUTES.grpcStatus, status);
    if (errors.length > 0) {
      if (record) record.upstreamErrors += 1;
      const codes = [...new Set(errors.map(codeOf))];
      for (const code of codes) metrics.errors.inc({ source: source.name, code });
      for (const error of errors.slice(0, 5)) span.recordException({ name: codeOf(error), message: error.message });
      span.setAttribute(SPAN_ATTRIBUTES.errorCodes, codes);
      span.setStatus({ code: SpanStatusCode.ERROR, message: errors[0].message });
      logger?.warn(
        { source: source.name, reqId: record?.requestId, operation, status, codes, message: errors[0].message },
        'upstream call failed',
      );
    }
    span.end();
  };

  return <TReturn>(request: ExecutionRequest): MaybePromise<MaybeAsyncIterable<ExecutionResult<TReturn>>> => {
    const operation = rootFieldsOf(request);
    const span = tracingOff()
      ? NO_SPAN
      : getTracer().startSpan(`upstream ${source.name}`, {
          kind: SpanKind.CLIENT,
          attributes: {
            [SPAN_ATTRIBUTES.source]: source.name,
            [SPAN_ATTRIBUTES.sourceKind]: source.kind,
            [SPAN_ATTRIBUTES.upstreamOperation]: operation,
            ...(request.operationType && { [SPAN_ATTRIBUTES.operationType]: request.operationType }),
          },
        });
    const call: UpstreamCall = { span, startedAt: performance.now(), request, operation };
    const failed = (error: unknown): never => {
      finish(
        call,
        outcomeOf({ errors: [error instanceof Error ? (error as GraphQLError) : new Error(String(error))] }),
      );
      throw error;
    };
    let result: MaybePromise<MaybeAsyncIterable<ExecutionResult<TReturn>>>;
    try {
      // A span that records nothing (no exporter, or not sampled) need not become the active one:
      // the caller's context already carries the same trace context to the transports.
      result = span.isRecording()
        ? context.with(trace.setSpan(context.active(), span), () => executor<TReturn>(request))
        : executor<TReturn>(request);
    } catch (error) {
      return failed(error);
    }
    if (!isPromiseLike(result)) {
      finish(call, outcomeOf(result));
      return result;
    }
    return Promise.resolve(result).then((value) => {
      finish(call, outcomeOf(value));
      return value;
    }, failed);
  };
}
