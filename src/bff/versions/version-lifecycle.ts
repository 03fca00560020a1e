import type { ResolvedDeprecation } from './parse-versioning';

/** Where a version stands at a given moment; also the `state` label of the traffic metric. */
export type VersionState = 'current' | 'supported' | 'deprecated' | 'sunset';

export interface VersionLifecycle {
  /** Response headers every answer of the version carries (none for a version that is not deprecated). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  stateAt(nowMs: number): VersionState;
  /** True when an answer at `nowMs` must be 410. */
  refusesAt(nowMs: number): boolean;
  /** The sunset as an ISO date-time, for the error message. */
  readonly sunsetIso?: string;
}

/**
 * The headers of a deprecated version, built once at start-up:
 * `Deprecation: @<epoch seconds>` (RFC 9745, a structured-field Date; a date
 * in the future announces it), `Sunset: <IMF-fixdate>` (RFC 8594) and `Link`
 * to the successor version (rel="successor-version", RFC 5829) and to the
 * deprecation notice (rel="deprecation", RFC 9745).
 */
export function createVersionLifecycle(
  current: boolean,
  deprecation: ResolvedDeprecation | undefined,
  successorPath: string | undefined,
): VersionLifecycle {
  if (!deprecation) return { headers: [], stateAt: () => (current ? 'current' : 'supported'), refusesAt: () => false };
  const { sinceMs, sunsetMs, afterSunset, infoUrl } = deprecation;
  const links = [
    ...(successorPath ? [`<${successorPath}>; rel="successor-version"`] : []),
    ...(infoUrl ? [`<${infoUrl}>; rel="deprecation"; type="text/html"`] : []),
  ];
  const headers: Array<[string, string]> = [['deprecation', `@${Math.floor(sinceMs / 1000)}`]];
  if (sunsetMs !== undefined) headers.push(['sunset', new Date(sunsetMs).toUTCString()]);
  if (links.length) headers.push(['link', links.join(', ')]);
  const stateAt = (nowMs: number): VersionState => {
    if (sunsetMs !== undefined && nowMs >= sunsetMs) return 'sunset';
    return nowMs >= sinceMs ? 'deprecated' : 'supported';
  };
  return {
    headers,
    stateAt,
    refusesAt: (nowMs) => afterSunset === 'refuse' && stateAt(nowMs) === 'sunset',
    sunsetIso: sunsetMs === undefined ? undefined : new Date(sunsetMs).toISOString(),
  };
}
