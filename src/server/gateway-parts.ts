import type { Registry } from 'prom-client';
import type { RedisClient } from '../core/redis-client';
import type { ComposedGateway } from '../compose/compose-gateway';
import type { BffApp } from '../bff/create-bff-app';
import type { ResolvedConfig } from '../config/types';
import type { Logger } from '../core/logger';
import type { ApiKeyStore } from '../plugins/stores/api-key-store';
import type { RateLimitStore } from '../plugins/stores/rate-limit-store';

export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean> | boolean;
}

/** Where hot reload stands (`loom serve --watch`, SIGHUP); /readyz shows it. */
export interface ReloadStatus {
  /** 1 at start, +1 per reload that swapped a new graph in. */
  readonly generation: number;
  /** A reload is building the next generation now. */
  readonly reloading: boolean;
  /** When the last reload finished (ISO 8601). */
  readonly lastReloadAt?: string;
  readonly lastReloadOk?: boolean;
  /** Why the last reload failed; the previous generation kept serving. */
  readonly lastReloadError?: string;
}

/** Everything one Loom process serves: the composed graph and one app per BFF. */
export interface GatewayParts {
  readonly config: ResolvedConfig;
  readonly composed: ComposedGateway;
  readonly bffs: ReadonlyMap<string, BffApp>;
  readonly metrics: Registry;
  /** The Prometheus text /metrics answers (this registry's, or every worker's). */
  readonly metricsText: () => Promise<string>;
  readonly logger: Logger;
  readonly redis?: RedisClient;
  readonly readinessChecks: readonly ReadinessCheck[];
  /** Hot reload's state, when the gateway reloads (shown on /readyz). */
  readonly reloadStatus?: () => ReloadStatus;
  /** Keys issued in the portal (Redis when configured, else memory). */
  readonly apiKeyStore: ApiKeyStore;
  /** The rate limiter's buckets when there is no Redis (the portal reads a key's usage there). */
  readonly memoryRateLimitStore?: RateLimitStore;
}
