import type { Plugin } from 'graphql-yoga';
import type { Registry } from 'prom-client';
import { versionSunset } from '../../core/errors';
import { createBoundedLabel } from '../../observability/bounded-label';
import { getOrCreateCounter } from '../../observability/get-or-create-metric';
import { getRequestRecord } from '../../observability/request-record';
import { readClientIdentity } from './client-version';
import type { VersionLifecycle } from './version-lifecycle';

export interface VersionLifecycleOptions {
  bffName: string;
  version: string;
  lifecycle: VersionLifecycle;
  /** The successor's path, named in the 410 error. */
  successorPath?: string;
  /** Headers naming the client (lower-case). */
  clientHeaders: { readonly name: string; readonly version: string };
  /** Epoch ms now; injected so tests move the clock instead of waiting. */
  now: () => number;
  /** The gateway's registry. */
  registry: Registry;
  /** Distinct client names, and client versions, kept as labels; later ones count as `other`. */
  maxClientLabels: number;
  /** Request headers that choose the version on `/<bff>/graphql` (routing): answers there say they vary on them. @default [] */
  routingHeaders?: readonly string[];
  /** `/<bff>/graphql`, where routing applies. */
  routedPath?: string;
}

/** GraphiQL pages and CORS preflights are not API traffic. */
function isApiCall(request: Request): boolean {
  if (request.method === 'OPTIONS') return false;
  return !(request.method === 'GET' && request.headers.get('accept')?.includes('text/html'));
}

/**
 * One BFF version's lifecycle on every answer: counts its traffic per client
 * (`loom_version_requests_total{bff,version,state,client,client_version}`),
 * notes the version and client for the request log, adds the Deprecation,
 * Sunset and Link headers, and after a refusing sunset answers 410
 * `VERSION_SUNSET` before any other policy or upstream call runs.
 */
export function useVersionLifecycle({
  bffName,
  version,
  lifecycle,
  successorPath,
  clientHeaders,
  now,
  registry,
  maxClientLabels,
  routingHeaders = [],
  routedPath,
}: VersionLifecycleOptions): Plugin {
  const vary = routingHeaders.join(', ');
  const traffic = getOrCreateCounter(registry, {
    name: 'loom_version_requests_total',
    help: 'Requests per BFF version, its state (current, supported, deprecated, sunset) and calling client',
    labelNames: ['bff', 'version', 'state', 'client', 'client_version'],
  });
  const clientLabel = createBoundedLabel(maxClientLabels);
  const clientVersionLabel = createBoundedLabel(maxClientLabels);
  const setHeaders = (headers: Headers) => {
    for (const [name, value] of lifecycle.headers) headers.set(name, value);
  };
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      const client = readClientIdentity((name) => request.headers.get(name), clientHeaders);
      const record = getRequestRecord(request);
      if (record) {
        record.apiVersion = version;
        record.client = client;
      }
      const nowMs = now();
      if (isApiCall(request))
        traffic.inc({
          bff: bffName,
          version,
          state: lifecycle.stateAt(nowMs),
          client: clientLabel(client.name),
          client_version: clientVersionLabel(client.version),
        });
      if (!lifecycle.refusesAt(nowMs)) return;
      const error = versionSunset(bffName, version, lifecycle.sunsetIso ?? '', successorPath ?? '');
      record?.errorCodes.push('VERSION_SUNSET');
      const { http: _http, ...extensions } = error.extensions;
      const headers = new fetchAPI.Headers({ 'content-type': 'application/json; charset=utf-8' });
      setHeaders(headers);
      endResponse(
        new fetchAPI.Response(JSON.stringify({ errors: [{ message: error.message, extensions }] }), {
          status: 410,
          headers,
        }),
      );
    },
    onResponse({ request, response }) {
      if (!lifecycle.headers.length && !vary) return;
      try {
        setHeaders(response.headers);
        // A shared HTTP cache must not hand one version's answer to a caller routed to another.
        if (vary && new URL(request.url).pathname === routedPath) response.headers.append('vary', vary);
      } catch {
        // A Response passed through from fetch() has immutable headers.
      }
    },
  };
}
