import type { ExecutionArgs } from 'graphql';
import { isAsyncIterable } from '@graphql-tools/utils';
import type { Plugin } from 'graphql-yoga';
import type { z } from 'zod';
import { flag, positiveInteger, strictObject } from '../../core/options-schema';
import { subscriptionLimitExceeded } from '../../core/errors';
import type { GatewayContext } from '../../core/context';
import { requirePositiveInteger } from '../shared/option-checks';
import { clientAddress } from './rate-limit-rules';
import { createSubscriptionSlots, releaseWhenDone } from './subscription-slots';

export const subscriptionLimitOptionsSchema = strictObject({
  /**
   * Most subscriptions one client may hold open at once, per BFF and gateway
   * instance. A client is its identity (user, API key) when authenticated,
   * else its address. @default 10
   */
  maxPerClient: positiveInteger().optional(),
  /** Key anonymous callers by the first `X-Forwarded-For` address; only behind a proxy you trust. @default false */
  trustForwardedFor: flag().optional(),
});

export type SubscriptionLimitOptions = z.input<typeof subscriptionLimitOptionsSchema>;

/** Who holds a subscription: an authenticated identity, else the caller's address. */
function clientOf(contextValue: object, trustForwardedFor: boolean): string {
  // Yoga types the context as its initial one; at subscribe it is Loom's (auth has set `identity`).
  const context = contextValue as GatewayContext;
  const { identity } = context;
  if (identity && identity.kind !== 'anonymous' && identity.subject) return `${identity.kind}:${identity.subject}`;
  return `ip:${clientAddress(context, trustForwardedFor) ?? 'unknown'}`;
}

/**
 * Caps the subscriptions a client holds open at once. One over the cap is
 * refused with 429 SUBSCRIPTION_LIMIT_EXCEEDED before the subscribe resolver
 * runs, so before any upstream stream opens. A slot is freed when the stream
 * completes, fails, is refused further on (rate limit, cost limit), or the
 * client goes away. Every BFF gets it (`subscriptions` in the BFF file).
 */
export function useSubscriptionLimit({
  maxPerClient = 10,
  trustForwardedFor = false,
}: SubscriptionLimitOptions = {}): Plugin {
  requirePositiveInteger('useSubscriptionLimit', 'maxPerClient', maxPerClient);
  const slots = createSubscriptionSlots(maxPerClient);
  return {
    onSubscribe({ args, subscribeFn, setSubscribeFn, setResultAndStopExecution }) {
      const release = slots.acquire(clientOf(args.contextValue, trustForwardedFor));
      if (!release) {
        setResultAndStopExecution({ errors: [subscriptionLimitExceeded(maxPerClient)] });
        return;
      }
      // A subscribe that throws produces no result for onSubscribeResult to see.
      setSubscribeFn(async (subscribeArgs: ExecutionArgs) => {
        try {
          return await subscribeFn(subscribeArgs);
        } catch (error) {
          release();
          throw error;
        }
      });
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) setResult(releaseWhenDone(result, release));
          else release();
        },
      };
    },
  };
}
