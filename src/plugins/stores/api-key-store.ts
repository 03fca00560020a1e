import { createHash, randomBytes } from 'node:crypto';

/** An API key issued in the developer portal, as stored: never the key itself, only its SHA-256 digest. */
export interface IssuedApiKey {
  /** Stable, non-secret id (`key_...`): the identity's subject, the rate limiter's bucket key. */
  readonly id: string;
  /** The BFF the key is for; other BFFs refuse it. */
  readonly bff: string;
  /** Who asked for it: `jwt:<sub>` for a signed-in developer, or the owner the admin named. */
  readonly owner: string;
  /** Rate-limit plan (one of the BFF's `budgetByPlan` names); undefined: the rules' plain budget. */
  readonly plan?: string;
  /** The developer's note, as text (escaped wherever it is shown). */
  readonly label: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** ISO 8601; the last request the key authenticated (at most one write per key per second). */
  readonly lastUsedAt?: string;
  /** Requests the key has authenticated since it was issued (every instance counted). */
  readonly uses: number;
  /** The key's first characters (`loom_AbC1`), so a developer can tell keys apart. */
  readonly hint: string;
}

export interface IssueApiKeyInput {
  bff: string;
  owner: string;
  plan?: string;
  label: string;
}

/**
 * Keys issued in the developer portal, shared by the portal (issue, list,
 * revoke) and useAuth's apiKey check (find). In Redis when the gateway has
 * one, so every instance sees an issue or a revoke at its next request; in
 * memory otherwise. No implementation caches a key: a revoked key is refused
 * by the next lookup.
 */
export interface ApiKeyStore {
  /** Makes a key; the secret is returned here once and never stored. */
  issue(input: IssueApiKeyInput): Promise<{ key: string; record: IssuedApiKey }>;
  /** Keys of one BFF, of one owner when given, oldest first. */
  list(filter: { bff?: string; owner?: string }): Promise<IssuedApiKey[]>;
  /** Deletes a key; with `owner`, only that owner's. False when there was no such key. */
  revoke(id: string, owner?: string): Promise<boolean>;
  /** The record of a key sent by a client for `bff`, and notes its use; undefined for an unknown key. */
  find(key: string, bff: string): Promise<IssuedApiKey | undefined>;
}

/** Every issued key starts with it; anything else is never looked up. */
export const ISSUED_KEY_PREFIX = 'loom_';
/** `loom_` + 32 random bytes in base64url. */
const ISSUED_KEY_LENGTH = ISSUED_KEY_PREFIX.length + 43;
const ISSUED_KEY = /^loom_[A-Za-z0-9_-]{43}$/;

/** Most keys one owner may hold per BFF: issuing is self-service, storage is not unbounded. */
export const MAX_KEYS_PER_OWNER = 20;
/** Uses closer together than this update `lastUsedAt` once (a busy key does not write on every request). */
export const LAST_USED_RESOLUTION_MS = 1000;

export const isIssuedKeyShape = (key: string) => key.length === ISSUED_KEY_LENGTH && ISSUED_KEY.test(key);

export const digestApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

/** A new key and its id, from the operating system's randomness. */
export function generateApiKey(): { key: string; id: string } {
  return {
    key: ISSUED_KEY_PREFIX + randomBytes(32).toString('base64url'),
    id: 'key_' + randomBytes(12).toString('base64url'),
  };
}

/** A new key and the record both stores keep of it (the key itself is never stored, only its digest). */
export function newIssuedKey(
  input: IssueApiKeyInput,
  now: () => number,
): { key: string; digest: string; record: IssuedApiKey } {
  const { key, id } = generateApiKey();
  const record: IssuedApiKey = {
    id,
    bff: input.bff,
    owner: input.owner,
    ...(input.plan !== undefined && { plan: input.plan }),
    label: input.label,
    createdAt: new Date(now()).toISOString(),
    hint: key.slice(0, 9),
    uses: 0,
  };
  return { key, digest: digestApiKey(key), record };
}

export class TooManyKeysError extends Error {
  constructor(owner: string) {
    super(`${owner} already holds ${MAX_KEYS_PER_OWNER} keys for this BFF: revoke one first`);
    this.name = 'TooManyKeysError';
  }
}

export interface MemoryApiKeyStoreOptions {
  /** Clock in ms. @default Date.now */
  now?: () => number;
}

/** Issued keys in this process (one instance; share the store across reloads so keys survive them). */
export function createMemoryApiKeyStore({ now = Date.now }: MemoryApiKeyStoreOptions = {}): ApiKeyStore {
  const byId = new Map<string, IssuedApiKey & { digest: string }>();
  const idByDigest = new Map<string, string>();
  const plain = ({ digest: _digest, ...record }: IssuedApiKey & { digest: string }): IssuedApiKey => record;
  return {
    async issue(input) {
      const held = [...byId.values()].filter((record) => record.bff === input.bff && record.owner === input.owner);
      if (held.length >= MAX_KEYS_PER_OWNER) throw new TooManyKeysError(input.owner);
      const issued = newIssuedKey(input, now);
      const { key } = issued;
      const record = { ...issued.record, digest: issued.digest };
      const { id } = record;
      byId.set(id, record);
      idByDigest.set(record.digest, id);
      return { key, record: plain(record) };
    },
    async list({ bff, owner }) {
      return [...byId.values()]
        .filter(
          (record) => (bff === undefined || record.bff === bff) && (owner === undefined || record.owner === owner),
        )
        .map(plain);
    },
    async revoke(id, owner) {
      const record = byId.get(id);
      if (!record || (owner !== undefined && record.owner !== owner)) return false;
      byId.delete(id);
      idByDigest.delete(record.digest);
      return true;
    },
    async find(key, bff) {
      if (!isIssuedKeyShape(key)) return undefined;
      const id = idByDigest.get(digestApiKey(key));
      const record = id === undefined ? undefined : byId.get(id);
      if (!record || record.bff !== bff) return undefined;
      const used = { ...record, lastUsedAt: new Date(now()).toISOString(), uses: record.uses + 1 };
      byId.set(record.id, used);
      return plain(used);
    },
  };
}
