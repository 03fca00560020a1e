/**
 * Per-source upstream policies. Issue #11 fills these in (retries, breaker,
 * load balancing, shadowing); the shape lives here so config can name it.
 */
export interface UpstreamPolicyOptions {
  /** Retries for idempotent operations. */
  retry?: { maxRetries?: number; baseDelayMs?: number; maxDelayMs?: number; retryNonIdempotent?: boolean };
  /** Circuit breaker per endpoint. */
  circuitBreaker?: { failureRateThreshold?: number; minimumCalls?: number; windowMs?: number; coolDownMs?: number };
  /** How calls are spread over several endpoints. @default 'round-robin' */
  loadBalancing?: 'round-robin' | 'least-outstanding';
  /** Endpoint used only when every primary endpoint is down. */
  backupEndpoint?: string;
  /** Mirror a share of traffic to a shadow endpoint. */
  shadow?: { endpoint: string; ratio: number };
  /** Connections kept open per endpoint. @default 64 */
  maxConnections?: number;
}
