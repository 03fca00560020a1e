import type { RedisClient } from '../core/redis-client';
import type { Registry } from 'prom-client';
import type { Logger } from '../core/logger';
import type { SourceKind } from '../core/source-kind';
import type { UpstreamPolicyOptions } from './upstream-policy-options';

/** What the upstream policies need to know of a source (every source's options satisfy it). */
export interface UpstreamSource {
  readonly name: string;
  readonly kind: SourceKind;
  readonly endpoint?: string | string[];
  readonly upstream?: UpstreamPolicyOptions;
}

/** Where upstream policies log and record their metrics. */
export interface UpstreamContext {
  readonly logger: Logger;
  /** The gateway's Prometheus registry (upstream metrics, breaker state). */
  readonly metrics: Registry;
  /** The gateway's Redis, when configured: upstream OAuth2 tokens are shared through it. */
  readonly redis?: RedisClient;
}
