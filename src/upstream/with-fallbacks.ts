import { print, type GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isAsyncIterable, type ExecutionRequest, type ExecutionResult, type Executor } from '@graphql-tools/utils';
import { coordinateOf, failedResult, rootFieldsOfRequest, type RootField } from '../core/execution-request-fields';
import type { FallbackOption } from './upstream-policy-options';

/** Codes that mean "the source is down": only these are replaced by a fallback (a 404 or a validation error is not). */
export const FALLBACK_CODES: ReadonlySet<string> = new Set([
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'GRPC_UNAVAILABLE',
  'GRPC_DEADLINE_EXCEEDED',
]);

export interface FallbackOptions {
  fallbacks: Readonly<Record<string, FallbackOption>>;
  /** Last good values kept per source (oldest dropped first). @default 1000 */
  maxLastGoodEntries?: number;
  onFallback?: (coordinate: string) => void;
}

type AnyError = GraphQLError | GraphQLFormattedError;

const lastGoodKey = (field: RootField, request: ExecutionRequest) =>
  `${print(field.node)}\n${JSON.stringify(request.variables ?? {})}`;
const isDownError = (error: AnyError) => FALLBACK_CODES.has(String(error.extensions?.code ?? ''));

/**
 * Serves a configured fallback for root fields whose source is down: null, a
 * static value, or the last good value seen for the same field, selection and
 * variables. The field's error is dropped (the client gets the fallback), the
 * other fields' data and errors are untouched.
 */
export function withFallbacks(executor: Executor, options: FallbackOptions): Executor {
  const { fallbacks, maxLastGoodEntries = 1000 } = options;
  if (Object.keys(fallbacks).length === 0) return executor;
  const lastGood = new Map<string, unknown>();
  const remember = (key: string, value: unknown) => {
    lastGood.delete(key);
    lastGood.set(key, value);
    if (lastGood.size > maxLastGoodEntries) lastGood.delete(lastGood.keys().next().value as string);
  };

  return (async (request: ExecutionRequest) => {
    const covered = rootFieldsOfRequest(request).flatMap((field) => {
      const coordinate = coordinateOf(request, field);
      const fallback = fallbacks[coordinate];
      return fallback ? [{ field, coordinate, fallback }] : [];
    });
    if (covered.length === 0) return executor(request);
    let result: ExecutionResult;
    try {
      const raw = await executor(request);
      if (isAsyncIterable(raw)) return raw;
      result = raw as ExecutionResult;
    } catch (error) {
      if (!isDownError(error as GraphQLError)) throw error;
      result = failedResult(request, error as GraphQLError);
    }
    const data: Record<string, unknown> = { ...(result.data as Record<string, unknown> | null | undefined) };
    let errors: readonly AnyError[] = result.errors ?? [];
    for (const { field, coordinate, fallback } of covered) {
      const own = errors.filter((error) => error.path?.[0] === field.responseKey);
      const key = lastGoodKey(field, request);
      if (own.length === 0) {
        if (fallback.kind === 'last-good' && data[field.responseKey] != null)
          remember(key, structuredClone(data[field.responseKey]));
        continue;
      }
      if (!own.every(isDownError)) continue;
      if (fallback.kind === 'last-good' && !lastGood.has(key)) continue; // nothing good seen yet: keep the error
      // A copy every time: stitching annotates result objects, and config values are frozen.
      const value =
        fallback.kind === 'static' ? fallback.value : fallback.kind === 'last-good' ? lastGood.get(key) : null;
      data[field.responseKey] = structuredClone(value);
      errors = errors.filter((error) => !own.includes(error));
      options.onFallback?.(coordinate);
    }
    const { errors: _dropped, ...rest } = result;
    return { ...rest, data, ...(errors.length > 0 && { errors: errors as GraphQLError[] }) };
  }) as Executor;
}
