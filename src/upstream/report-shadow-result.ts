import type { Registry } from 'prom-client';
import type { Logger } from '../core/logger';
import type { ShadowResult } from './shadow-traffic';
import { getResilienceMetrics } from './upstream-metrics';

export interface ShadowReportOptions {
  source: string;
  metrics?: Registry;
  logger?: Logger;
  /** Called with every comparison too (tests, custom reporting). */
  onShadowResult?: (result: ShadowResult) => void;
}

/** Records a shadow comparison: result and mismatch counters, a warning per mismatch. */
export function createShadowResultReporter({
  source,
  metrics: registry,
  logger,
  onShadowResult,
}: ShadowReportOptions): (result: ShadowResult) => void {
  const metrics = registry && getResilienceMetrics(registry);
  return (result) => {
    metrics?.shadowRequests.inc({ source, result: result.result });
    if (result.result === 'mismatch') {
      metrics?.shadowMismatches.inc({ source });
      const { differences, primary, shadow } = result;
      logger?.warn(
        { source, differences, primaryStatus: primary?.status, shadowStatus: shadow?.status },
        'shadow answer differs from primary',
      );
    }
    onShadowResult?.(result);
  };
}
