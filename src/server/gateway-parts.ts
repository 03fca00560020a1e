import type { Registry } from 'prom-client';
import type { Redis } from 'ioredis';
import type { ComposedGateway } from '../compose/compose-gateway';
import type { BffApp } from '../bff/create-bff-app';
import type { ResolvedConfig } from '../config/types';
import type { Logger } from '../core/logger';

export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean> | boolean;
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
  readonly redis?: Redis;
  readonly readinessChecks: readonly ReadinessCheck[];
}
