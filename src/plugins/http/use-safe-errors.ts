import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface SafeErrorsOptions {
  /**
   * Production: every URL in an error is replaced by `[url]` and debug
   * extensions (stack, originalError, exception) are dropped. Outside
   * production only credentials are redacted. @default NODE_ENV === 'production'
   */
  production?: boolean;
}

const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;
const USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@"'<>]+@/gi;
const SECRET_PARAMS = /([?&](?:api[_-]?key|key|token|access_token|secret|password|signature|sig)=)[^&\s"'<>]+/gi;
const DEBUG_EXTENSIONS = ['stack', 'originalError', 'exception', 'stacktrace'];

export function scrubText(text: string, production: boolean): string {
  if (production) return text.replace(URL_PATTERN, '[url]');
  return text.replace(USERINFO, '$1[redacted]@').replace(SECRET_PARAMS, '$1[redacted]');
}

function scrubValue(value: unknown, production: boolean, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value, production);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, production, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubValue(item, production, depth + 1)]));
}

export function scrubError(error: GraphQLError, production: boolean): GraphQLError {
  // `http` (status, headers) is for Yoga, not clients' eyes, but must survive untouched.
  const { http, ...rest } = error.extensions as GraphQLError['extensions'] & Record<string, unknown>;
  if (production) for (const key of DEBUG_EXTENSIONS) delete rest[key];
  return new GraphQLError(scrubText(error.message, production), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { ...(scrubValue(rest, production) as Record<string, unknown>), ...(http !== undefined && { http }) },
  });
}

function scrubResult(result: ExecutionResult, production: boolean): ExecutionResult {
  if (!result?.errors?.length) return result;
  return { ...result, errors: result.errors.map((error) => (error instanceof GraphQLError ? scrubError(error, production) : error)) };
}

/**
 * The last word on what an error may say: no upstream URLs (production), no
 * credentials in URLs (always), no stack traces (production). Runs on the final
 * result, after Yoga's own masking of unexpected errors.
 */
export function useSafeErrors({ production = process.env.NODE_ENV === 'production' }: SafeErrorsOptions = {}): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result)) setResult(result.map((item: ExecutionResult) => scrubResult(item, production)));
      else if (result && typeof result === 'object' && 'errors' in result) setResult(scrubResult(result as ExecutionResult, production));
    },
  };
}
