import { createHash } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import { badRequest, payloadTooLarge, persistedQueryHashMismatch, persistedQueryNotFound } from '../../core/errors';
import type { GatewayContext } from '../../core/context';
import { withGatewayServices } from '../shared/gateway-services';
import { requirePositiveInteger } from '../shared/option-checks';
import {
  createMemoryPersistedQueryStore,
  createRedisPersistedQueryStore,
  type PersistedQueryStore,
} from './persisted-query-store';

export interface AutomaticPersistedQueriesOptions {
  /** How long a registered document is kept after its registration. @default 86400000 (a day) */
  ttlMs?: number;
  /** Largest document a client may register, in bytes. @default 20000 */
  maxDocumentBytes?: number;
  /** Registrations kept in memory when the gateway has no Redis. @default 1000 */
  maxMemoryEntries?: number;
  /** A store of your own (tests, another backend); the gateway's Redis, else memory, when unset. */
  store?: PersistedQueryStore;
}

interface ApqExtension {
  version?: unknown;
  sha256Hash?: unknown;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Automatic persisted queries, Apollo's protocol: a client first sends only
 * `extensions.persistedQuery.sha256Hash`; an unknown hash answers
 * PERSISTED_QUERY_NOT_FOUND (message `PersistedQueryNotFound`, which Apollo's
 * link looks for), and the client sends the document with its hash to
 * register it. A hash that does not match its document is refused. A document
 * is stored only once it has passed validation on this BFF, and every use of
 * it runs the same policies as the document sent in full.
 */
export function useAutomaticPersistedQueries(options: AutomaticPersistedQueriesOptions = {}): Plugin {
  const { ttlMs = 86_400_000, maxDocumentBytes = 20_000, maxMemoryEntries = 1_000 } = options;
  requirePositiveInteger('useAutomaticPersistedQueries', 'ttlMs', ttlMs);
  requirePositiveInteger('useAutomaticPersistedQueries', 'maxDocumentBytes', maxDocumentBytes);
  requirePositiveInteger('useAutomaticPersistedQueries', 'maxMemoryEntries', maxMemoryEntries);
  return withGatewayServices((services) => {
    const store =
      options.store ??
      (services.redis
        ? createRedisPersistedQueryStore({
            redis: services.redis,
            keyPrefix: `${services.redisKeyPrefix}apq:`,
            ttlMs,
            commandTimeoutMs: services.redisCommandTimeoutMs,
            logger: services.logger,
          })
        : createMemoryPersistedQueryStore(maxMemoryEntries, ttlMs));
    // Registrations waiting for their document to pass validation, by request.
    const pending = new WeakMap<Request, { hash: string; document: string }>();
    // Awaited before the answer leaves: a client that next sends the bare hash to another instance finds it.
    const writes = new WeakMap<Request, Promise<void>>();
    return {
      async onParams({ params, request, setParams }) {
        const extension = params.extensions?.persistedQuery as ApqExtension | undefined;
        if (extension === undefined) return;
        if (!extension || typeof extension !== 'object' || extension.version !== 1)
          throw badRequest('Unsupported persisted query: send extensions.persistedQuery { version: 1, sha256Hash }');
        const hash = typeof extension.sha256Hash === 'string' ? extension.sha256Hash.toLowerCase() : '';
        if (!SHA256_HEX.test(hash)) throw badRequest('persistedQuery.sha256Hash must be 64 hexadecimal characters');
        if (typeof params.query !== 'string' || params.query === '') {
          const document = await store.get(hash);
          if (document === null) throw persistedQueryNotFound();
          setParams({ ...params, query: document });
          return;
        }
        if (sha256Hex(params.query) !== hash) throw persistedQueryHashMismatch();
        if (Buffer.byteLength(params.query) > maxDocumentBytes) throw payloadTooLarge(maxDocumentBytes);
        pending.set(request, { hash, document: params.query });
      },
      onValidate({ context }) {
        const request = (context as GatewayContext).request;
        const registration = request ? pending.get(request) : undefined;
        if (!registration) return;
        return ({ valid }) => {
          if (valid && request) writes.set(request, store.set(registration.hash, registration.document));
        };
      },
      async onResponse({ request }) {
        await writes.get(request);
      },
    };
  });
}
