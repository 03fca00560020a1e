// The policies a BFF file names, for `import { useAuth } from 'loom/plugins'` (package.json "exports").
export { useAuth, type AuthOptions } from './auth/use-auth';
export { useHttpHardening, type HttpHardeningOptions } from './http/use-http-hardening';
export { useBodyLimit, type BodyLimitOptions } from './http/use-body-limit';
export { useCompression, type CompressionOptions } from './http/use-compression';
export { useCorsPolicy, type CorsPolicyOptions } from './http/use-cors-policy';
export { useCsrfGuard, type CsrfGuardOptions } from './http/use-csrf-guard';
export { useIpFilter, type IpFilterOptions } from './http/use-ip-filter';
export { useSecurityHeaders, type SecurityHeadersOptions } from './http/use-security-headers';
export { useQueryLimits, type QueryLimitsOptions } from './limits/use-query-limits';
export { useCostLimit, type CostLimitOptions } from './use-cost-limit';
export { useRateLimit, type RateLimitOptions } from './rate-limit/use-rate-limit';
export { useSubscriptionLimit, type SubscriptionLimitOptions } from './rate-limit/use-subscription-limit';
export { useResponseCache, type ResponseCacheOptions } from './cache/use-response-cache';
export { usePersistedOperations, type PersistedOperationsOptions } from './use-persisted-operations';
