import { createHash } from 'node:crypto';
import type { RedisClient } from '../../core/redis-client';
import { describeBucket, type RateLimitStore } from './rate-limit-store';
import { DEFAULT_REDIS_COMMAND_TIMEOUT_MS, withRedisDeadline } from './with-redis-deadline';

/**
 * All buckets of one request in one atomic step, on Redis' clock so every
 * instance agrees. First refill and check every bucket; charge them only if
 * all have enough. Tokens are returned as strings: Redis truncates Lua numbers
 * to integers.
 */
const TOKEN_BUCKET_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local count = #KEYS
local tokens = {}
local allowed = 1
for i = 1, count do
  local capacity = tonumber(ARGV[i * 3 - 2])
  local window = tonumber(ARGV[i * 3 - 1])
  local cost = tonumber(ARGV[i * 3])
  local state = redis.call('HMGET', KEYS[i], 'tokens', 'at')
  local current = tonumber(state[1])
  local at = tonumber(state[2])
  if current == nil or at == nil then
    current = capacity
  else
    current = math.min(capacity, current + math.max(0, now - at) * capacity / window)
  end
  tokens[i] = current
  if current < cost then allowed = 0 end
end
local reply = { allowed }
for i = 1, count do
  local capacity = tonumber(ARGV[i * 3 - 2])
  local window = tonumber(ARGV[i * 3 - 1])
  local cost = tonumber(ARGV[i * 3])
  if allowed == 1 then
    tokens[i] = tokens[i] - cost
    redis.call('HSET', KEYS[i], 'tokens', tostring(tokens[i]), 'at', tostring(now))
    redis.call('PEXPIRE', KEYS[i], math.ceil((capacity - tokens[i]) * window / capacity) + 1000)
  end
  reply[i + 1] = tostring(tokens[i])
end
return reply
`;

const SCRIPT_SHA = createHash('sha1').update(TOKEN_BUCKET_SCRIPT).digest('hex');

async function runScript(redis: RedisClient, keys: string[], args: Array<string | number>): Promise<unknown> {
  try {
    return await redis.evalsha(SCRIPT_SHA, keys.length, ...keys, ...args);
  } catch (error) {
    // A restarted Redis has forgotten the script; send it once more.
    if (error instanceof Error && error.message.startsWith('NOSCRIPT'))
      return redis.eval(TOKEN_BUCKET_SCRIPT, keys.length, ...keys, ...args);
    throw error;
  }
}

/**
 * Token buckets in Redis: exact across every instance that shares it. Errors
 * (Redis down) reject, and so does a Redis that has not answered the whole
 * charge within `commandTimeoutMs`.
 */
export function createRedisRateLimitStore(
  redis: RedisClient,
  commandTimeoutMs = DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
): RateLimitStore {
  return {
    async consume(charges) {
      if (charges.length === 0) return { allowed: true, buckets: [] };
      const keys = charges.map((charge) => charge.key);
      const args = charges.flatMap((charge) => [charge.capacity, charge.windowMs, charge.cost]);
      const reply = (await withRedisDeadline('a rate-limit charge', commandTimeoutMs, () =>
        runScript(redis, keys, args),
      )) as [number, ...string[]];
      const allowed = reply[0] === 1;
      return {
        allowed,
        buckets: charges.map((charge, index) => describeBucket(charge, Number(reply[index + 1]), allowed)),
      };
    },
  };
}
