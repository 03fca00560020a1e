import type { Plugin } from 'graphql-yoga';
import { useBodyLimit, type BodyLimitOptions } from './use-body-limit';
import { useCorsPolicy, type CorsPolicyOptions } from './use-cors-policy';
import { DEFAULT_CSRF_HEADERS, useCsrfGuard, type CsrfGuardOptions } from './use-csrf-guard';
import { markReplaySafe } from '../shared/replay-safety';
import { useIpFilter, type IpFilterOptions } from './use-ip-filter';
import { useSafeErrors, type SafeErrorsOptions } from './use-safe-errors';
import { useSecurityHeaders, type SecurityHeadersOptions } from './use-security-headers';
import { describePolicy } from '../shared/describe-policy';

export interface HttpHardeningOptions {
  /** Body size limit and UTF-8 check; `false` turns it off. @default { maxBytes: 102400 } */
  bodyLimit?: BodyLimitOptions | false;
  /** Browser origins allowed (CORS). @default undefined: Yoga's default CORS stays (any origin) */
  cors?: CorsPolicyOptions;
  /** CSRF header requirement on simple requests; `false` turns it off. @default { requestHeaders: ['x-graphql-csrf'] } */
  csrf?: CsrfGuardOptions | false;
  /** IP allow/deny lists. @default undefined (every address) */
  ipFilter?: IpFilterOptions;
  /** Security response headers; `false` turns them off. @default {} */
  securityHeaders?: SecurityHeadersOptions | false;
  /** Error scrubbing; `false` turns it off. @default { production: the gateway's `production` (NODE_ENV === 'production' outside Loom) } */
  safeErrors?: SafeErrorsOptions | false;
}

/** The HTTP hardening policies as one line in a BFF file, each with its own options. */
export function useHttpHardening(options: HttpHardeningOptions = {}): Plugin {
  const plugins: Plugin[] = [
    // Cheapest refusals first: the address, then headers, then the body.
    ...(options.ipFilter ? [useIpFilter(options.ipFilter)] : []),
    ...(options.cors ? [useCorsPolicy(options.cors)] : []),
    ...(options.securityHeaders === false ? [] : [useSecurityHeaders(options.securityHeaders)]),
    ...(options.csrf === false ? [] : [useCsrfGuard(options.csrf)]),
    ...(options.bodyLimit === false ? [] : [useBodyLimit(options.bodyLimit)]),
    ...(options.safeErrors === false ? [] : [useSafeErrors(options.safeErrors)]),
  ];
  const hardening: Plugin = {
    onPluginInit({ addPlugin }) {
      for (const plugin of plugins) addPlugin(plugin);
    },
  };
  // The client's address is not in a request's bytes: an IP filter must see every request.
  describePolicy(hardening, { policy: 'useHttpHardening', options });
  if (options.ipFilter) return hardening;
  const csrfHeaders = options.csrf === false ? [] : (options.csrf?.requestHeaders ?? DEFAULT_CSRF_HEADERS);
  return markReplaySafe(hardening, [
    'origin',
    'access-control-request-method',
    'access-control-request-headers',
    ...csrfHeaders,
  ]);
}
