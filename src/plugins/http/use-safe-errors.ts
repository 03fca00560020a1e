import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { withGatewayServices } from '../shared/gateway-services';
import { withoutBackendText } from '../../core/errors';

export interface SafeErrorsOptions {
  /**
   * Production: every URL in an error is replaced by `[url]`, every network
   * address (`127.0.0.1:4812`, `[::1]:50051`, `orders.internal:443`) by
   * `[address]`, "Did you mean ...?" suggestions are removed, a SOAP fault
   * keeps its code but not the backend's fault string and detail, and debug
   * extensions (stack, originalError, exception) are dropped. Outside
   * production only credentials are redacted. @default the gateway's `production` (NODE_ENV === 'production' outside Loom)
   */
  production?: boolean;
}

const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;
// IPv4 and IPv6 (bracketed, compressed or full), with or without a port, and host names with a port.
const ADDRESS_PATTERN =
  /\[[0-9a-f:.]+(?:%\w+)?\](?::\d{1,5})?|(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5}(?!\d)|(?![\w.]))|(?<![\w:])[0-9a-f]*::[0-9a-f:.]*(?:%\w+)?|(?<![\w:])(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}(?![\w:])|\b(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)+):\d{1,5}\b/gi;
// Not only validation says "Did you mean": variable coercion does too, after validation, where no rule can strip it.
const SUGGESTION = /\s*Did you mean [^?]*\?/g;
const USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@"'<>]+@/gi;
const SECRET_PARAMS = /([?&](?:api[_-]?key|key|token|access_token|secret|password|signature|sig)=)[^&\s"'<>]+/gi;
const DEBUG_EXTENSIONS = ['stack', 'originalError', 'exception', 'stacktrace'];

export function scrubText(text: string, production: boolean): string {
  if (production)
    return text.replace(URL_PATTERN, '[url]').replace(ADDRESS_PATTERN, '[address]').replace(SUGGESTION, '');
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
  const { message, extensions } = production
    ? withoutBackendText(error.message, rest)
    : { message: error.message, extensions: rest };
  return new GraphQLError(scrubText(message, production), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: {
      ...(scrubValue(extensions, production) as Record<string, unknown>),
      ...(http !== undefined && { http }),
    },
  });
}

function scrubResult(result: ExecutionResult, production: boolean): ExecutionResult {
  if (!result?.errors?.length) return result;
  return {
    ...result,
    errors: result.errors.map((error) => (error instanceof GraphQLError ? scrubError(error, production) : error)),
  };
}

/**
 * The last word on what an error may say: no upstream URLs (production), no
 * credentials in URLs (always), no stack traces (production). Runs on the final
 * result, after Yoga's own masking of unexpected errors.
 */
export function useSafeErrors({ production }: SafeErrorsOptions = {}): Plugin {
  return withGatewayServices((services) => scrubErrors(production ?? services.production));
}

function scrubErrors(production: boolean): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result)) setResult(result.map((item: ExecutionResult) => scrubResult(item, production)));
      else if (result && typeof result === 'object' && 'errors' in result)
        setResult(scrubResult(result as ExecutionResult, production));
    },
  };
}
