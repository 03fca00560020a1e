import { createHash } from 'node:crypto';
import { authUnavailable, unauthenticated } from '../../core/errors';
import type { ApiKeyStore } from '../stores/api-key-store';
import type { RequestIdentity } from '../../core/context';
import { PolicyOptionError, requireNonEmptyString } from '../shared/option-checks';

/** One client's API key: what it may do and which plan it pays for. */
export interface ApiKeyEntry {
  /** Stable, non-secret id: the identity's subject (logs, rate-limit keys). Never the key itself. */
  id: string;
  /** Plan name, e.g. 'free' or 'pro' (the rate limiter charges by it). */
  plan?: string;
  /** Scopes the key grants, checked against field scopes. @default [] */
  scopes?: string[];
}

export interface ApiKeyListEntry extends ApiKeyEntry {
  /** The secret key the client sends. Load it from the environment or a secret store. */
  key: string;
}

/** API keys from a fixed list or a lookup function, sent in a header or a query parameter. */
export interface ApiKeyOptions {
  /** Known keys. Give `keys`, `lookup`, or both (the list is tried first). */
  keys?: ApiKeyListEntry[];
  /**
   * Also accept the keys issued for this BFF in the developer portal (the
   * gateway's key store: Redis when configured, else memory). Checked after
   * `keys` and `lookup`, on every request (no cache: a revoked key is refused
   * at once on every instance). Issued keys carry their plan and no scopes.
   * Outside a Loom gateway there is no store and this finds nothing.
   * @default false
   */
  issued?: boolean;
  /** Finds a key elsewhere (database, secret store); resolves to undefined/null for an unknown key. */
  lookup?: (key: string) => Promise<ApiKeyEntry | null | undefined> | ApiKeyEntry | null | undefined;
  /** Request header carrying the key. @default 'x-api-key' */
  header?: string;
  /** Query parameter carrying the key (off unless named: keys in URLs end up in logs). */
  queryParam?: string;
}

export interface ApiKeyVerifier {
  readonly header: string;
  readonly queryParam?: string;
  verify(key: string): Promise<RequestIdentity>;
  /** Where `issued: true` finds portal keys: the gateway's store, for this BFF (useAuth calls it once the app starts). */
  attachIssuedKeys(store: ApiKeyStore, bff: string): void;
}

// Keys are compared by SHA-256 digest in a Map: no early-exit string comparison on the secret itself.
const digest = (key: string) => createHash('sha256').update(key).digest('base64');

export function createApiKeyVerifier(options: ApiKeyOptions): ApiKeyVerifier {
  let issued: { store: ApiKeyStore; bff: string } | undefined;
  const policy = 'useAuth apiKey';
  if (options.issued !== undefined && typeof options.issued !== 'boolean')
    throw new PolicyOptionError(policy, 'issued must be true or false');
  if (!options.keys && !options.lookup && options.issued !== true)
    throw new PolicyOptionError(policy, 'give keys, lookup, issued: true, or several');
  if (options.lookup !== undefined && typeof options.lookup !== 'function')
    throw new PolicyOptionError(policy, 'lookup must be a function');
  const byDigest = new Map<string, ApiKeyEntry>();
  for (const [index, entry] of (options.keys ?? []).entries()) {
    requireNonEmptyString(policy, `keys[${index}].key`, entry.key);
    requireNonEmptyString(policy, `keys[${index}].id`, entry.id);
    if (entry.key.length < 16)
      throw new PolicyOptionError(policy, `keys[${index}] ("${entry.id}") is shorter than 16 characters`);
    if (byDigest.has(digest(entry.key)))
      throw new PolicyOptionError(policy, `keys[${index}] ("${entry.id}") repeats another key`);
    byDigest.set(digest(entry.key), { id: entry.id, plan: entry.plan, scopes: entry.scopes });
  }
  const header = (options.header ?? 'x-api-key').toLowerCase();
  requireNonEmptyString(policy, 'header', header);
  if (options.queryParam !== undefined) requireNonEmptyString(policy, 'queryParam', options.queryParam);
  async function findIssued(key: string): Promise<ApiKeyEntry | undefined> {
    const source = issued;
    if (!source) return undefined;
    let record;
    try {
      record = await source.store.find(key, source.bff);
    } catch {
      // Fail closed: a key the store cannot vouch for now is not let in, and not called invalid either.
      throw authUnavailable('The API key store did not answer; try again');
    }
    return record && { id: record.id, plan: record.plan, scopes: [] };
  }
  return {
    header,
    queryParam: options.queryParam,
    attachIssuedKeys(store, bff) {
      issued = { store, bff };
    },
    async verify(key) {
      const entry =
        byDigest.get(digest(key)) ??
        (options.lookup ? await options.lookup(key) : undefined) ??
        (options.issued ? await findIssued(key) : undefined);
      if (!entry) throw unauthenticated('Invalid API key');
      return {
        kind: 'apiKey',
        subject: entry.id,
        scopes: [...(entry.scopes ?? [])],
        ...(entry.plan !== undefined && { plan: entry.plan }),
      };
    },
  };
}
