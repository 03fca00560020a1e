import { createHash } from 'node:crypto';
import { hashTaggedPrefix, type RedisClient } from '../../core/redis-client';
import {
  LAST_USED_RESOLUTION_MS,
  MAX_KEYS_PER_OWNER,
  TooManyKeysError,
  digestApiKey,
  newIssuedKey,
  isIssuedKeyShape,
  type ApiKeyStore,
  type IssueApiKeyInput,
  type IssuedApiKey,
} from './api-key-store';
import { DEFAULT_REDIS_COMMAND_TIMEOUT_MS, withRedisDeadline } from './with-redis-deadline';

/*
 * Layout under the prefix (default `loom:keys:`, hash-tagged: `loom:keys:{loom:keys}:`):
 *   digest:<sha256 hex>  -> key id              (the only way from a secret to a record)
 *   key:<id>             -> hash of the record  (bff, owner, plan, label, createdAt, hint, digest, lastUsedAt, uses)
 *   bff:<bff>            -> set of ids          (the portal's lists)
 *   owner:<sha256>       -> set of ids          (one owner's keys on one BFF: the cap)
 */

/** Looks a digest up and, for the right BFF, stamps the use; one round trip, and never recreates a revoked record. */
const FIND_SCRIPT = `
local id = redis.call('GET', KEYS[1])
if not id then return nil end
local recordKey = ARGV[1] .. id
local bff = redis.call('HGET', recordKey, 'bff')
if bff ~= ARGV[2] then return nil end
if ARGV[3] ~= '' then redis.call('HSET', recordKey, 'lastUsedAt', ARGV[3]) end
redis.call('HINCRBY', recordKey, 'uses', 1)
local fields = redis.call('HGETALL', recordKey)
table.insert(fields, 'id')
table.insert(fields, id)
return fields
`;

/**
 * Writes a new record, its digest and its set entries at once, unless the
 * owner already holds the cap: the count and the write are one step, so
 * issues racing on several instances cannot pass the cap.
 * KEYS: owner set, record, digest, BFF set. ARGV: cap, id, then the record's field/value pairs.
 */
const ISSUE_SCRIPT = `
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[2], unpack(ARGV, 3))
redis.call('SET', KEYS[3], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[2])
redis.call('SADD', KEYS[1], ARGV[2])
return 1
`;

/** Deletes a record, its digest and its set entries at once (owner checked first when given). */
const REVOKE_SCRIPT = `
local recordKey = ARGV[1] .. ARGV[2]
local digest = redis.call('HGET', recordKey, 'digest')
if not digest then return 0 end
if ARGV[3] ~= '' and redis.call('HGET', recordKey, 'owner') ~= ARGV[3] then return 0 end
local bff = redis.call('HGET', recordKey, 'bff')
local ownerSet = redis.call('HGET', recordKey, 'ownerSet')
redis.call('DEL', recordKey, ARGV[4] .. digest)
redis.call('SREM', ARGV[5] .. bff, ARGV[2])
redis.call('SREM', ownerSet, ARGV[2])
return 1
`;

const RECORD_FIELDS = ['bff', 'owner', 'plan', 'label', 'createdAt', 'hint', 'lastUsedAt', 'uses'] as const;

function toRecord(id: string, fields: Record<string, string>): IssuedApiKey {
  return {
    id,
    bff: fields.bff,
    owner: fields.owner,
    ...(fields.plan && { plan: fields.plan }),
    label: fields.label ?? '',
    createdAt: fields.createdAt,
    hint: fields.hint ?? '',
    uses: Number(fields.uses ?? 0) || 0,
    ...(fields.lastUsedAt && { lastUsedAt: fields.lastUsedAt }),
  };
}

const pairs = (flat: readonly string[]) => {
  const fields: Record<string, string> = {};
  for (let index = 0; index + 1 < flat.length; index += 2) fields[flat[index]] = flat[index + 1];
  return fields;
};

const ownerSet = (prefix: string, bff: string, owner: string) =>
  `${prefix}owner:${createHash('sha256').update(`${bff}\u0000${owner}`).digest('hex')}`;

async function issueKey(
  redis: RedisClient,
  prefix: string,
  input: IssueApiKeyInput,
  now: () => number,
): Promise<{ key: string; record: IssuedApiKey }> {
  const owners = ownerSet(prefix, input.bff, input.owner);
  const { key, digest, record } = newIssuedKey(input, now);
  const { id, ...stored } = record;
  const fields = Object.entries({ ...stored, uses: '0', digest, ownerSet: owners }).flatMap(([name, value]) => [
    name,
    String(value),
  ]);
  const written = await redis.eval(
    ISSUE_SCRIPT,
    4,
    owners,
    `${prefix}key:${id}`,
    `${prefix}digest:${digest}`,
    `${prefix}bff:${input.bff}`,
    MAX_KEYS_PER_OWNER,
    id,
    ...fields,
  );
  if (written !== 1) throw new TooManyKeysError(input.owner);
  return { key, record };
}

export interface RedisApiKeyStoreOptions {
  /** Prefix of every key the store writes; a hash tag of its own is appended. @default 'loom:keys:' */
  prefix?: string;
  /** Deadline of each operation, ms; past it the operation rejects (Redis counts as down). @default 100 */
  commandTimeoutMs?: number;
  now?: () => number;
}

/**
 * Issued keys in Redis, shared by every instance: an issue is usable, and a
 * revoke refused, at every instance's next lookup (nothing is cached here).
 * Rejects when Redis fails or misses its deadline; useAuth then answers 503.
 */
export function createRedisApiKeyStore(
  redis: RedisClient,
  {
    prefix: untaggedPrefix = 'loom:keys:',
    commandTimeoutMs = DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
    now = Date.now,
  }: RedisApiKeyStoreOptions = {},
): ApiKeyStore {
  // One hash tag for the whole store: its scripts and MULTI touch a record, its digest and
  // its sets together, which a Redis Cluster allows only within one slot.
  const prefix = hashTaggedPrefix(untaggedPrefix);
  const keyOf = (id: string) => `${prefix}key:${id}`;
  const deadline = <T>(operation: string, run: () => Promise<T>) =>
    withRedisDeadline(`an API key ${operation}`, commandTimeoutMs, run);
  // When this instance last stamped each key's use; only thins out writes, never decides validity.
  const stamped = new Map<string, number>();

  async function records(ids: readonly string[]): Promise<IssuedApiKey[]> {
    if (ids.length === 0) return [];
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hmget(keyOf(id), ...RECORD_FIELDS);
    const replies = (await pipeline.exec()) ?? [];
    return replies.flatMap(([error, values], index) => {
      if (error) throw error;
      const list = values as Array<string | null>;
      if (!list[0]) return [];
      const fields = Object.fromEntries(RECORD_FIELDS.map((name, at) => [name, list[at] ?? '']));
      return [toRecord(ids[index], fields)];
    });
  }

  return {
    issue: (input) => deadline('issue', () => issueKey(redis, prefix, input, now)),
    list: ({ bff, owner }) =>
      deadline('list', async () => {
        const ids =
          bff !== undefined && owner !== undefined
            ? await redis.smembers(ownerSet(prefix, bff, owner))
            : bff !== undefined
              ? await redis.smembers(`${prefix}bff:${bff}`)
              : [];
        const found = await records(ids);
        return found
          .filter((record) => owner === undefined || record.owner === owner)
          .sort((left, right) => left.createdAt.localeCompare(right.createdAt) || left.id.localeCompare(right.id));
      }),
    revoke: (id, owner) =>
      deadline('revoke', async () => {
        const removed = await redis.eval(
          REVOKE_SCRIPT,
          // Names one key of the store only so that a cluster routes the script to the store's slot.
          1,
          keyOf(id),
          `${prefix}key:`,
          id,
          owner ?? '',
          `${prefix}digest:`,
          `${prefix}bff:`,
        );
        return removed === 1;
      }),
    find: (key, bff) => {
      if (!isIssuedKeyShape(key)) return Promise.resolve(undefined);
      return deadline('lookup', async () => {
        const at = now();
        const digest = digestApiKey(key);
        const last = stamped.get(digest);
        const stamp = last === undefined || at - last >= LAST_USED_RESOLUTION_MS ? new Date(at).toISOString() : '';
        const reply = (await redis.eval(FIND_SCRIPT, 1, `${prefix}digest:${digest}`, `${prefix}key:`, bff, stamp)) as
          string[] | null;
        if (!reply) return undefined;
        if (stamp) {
          if (stamped.size > 10_000) stamped.clear();
          stamped.set(digest, at);
        }
        const fields = pairs(reply);
        return toRecord(fields.id, fields);
      });
    },
  };
}
