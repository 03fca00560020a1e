import { createHash } from 'node:crypto';
import type { ShadowOptions } from './upstream-policy-options';

export interface ShadowAnswer {
  status: number;
  /** sha256 of the body, hex. */
  bodyHash: string;
}

export interface ShadowResult {
  result: 'match' | 'mismatch' | 'error';
  /** What differed, on a mismatch. */
  differences: Array<'status' | 'body'>;
  primary?: ShadowAnswer;
  shadow?: ShadowAnswer;
  /** Why the shadow call failed, on an error. */
  error?: string;
}

/** Pure comparison of the primary's and the shadow's answers. */
export function compareShadowAnswers(primary: ShadowAnswer, shadow: ShadowAnswer): ShadowResult {
  const differences: ShadowResult['differences'] = [];
  if (primary.status !== shadow.status) differences.push('status');
  if (primary.bodyHash !== shadow.bodyHash) differences.push('body');
  return { result: differences.length ? 'mismatch' : 'match', differences, primary, shadow };
}

export const hashBody = (body: ArrayBuffer | string) =>
  createHash('sha256')
    .update(typeof body === 'string' ? body : Buffer.from(body))
    .digest('hex');

/** Bodies that can be sent twice (a stream cannot be mirrored without buffering it first). */
export function isReplayableBody(body: RequestInit['body']): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof URLSearchParams ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body)
  );
}

export interface ShadowMirror {
  /**
   * Fire and forget: sends the call to the shadow at once and compares once
   * both answers are in. Never throws, never delays the primary. `primary`
   * resolves to a clone of the primary's final response (undefined when it failed).
   */
  mirror(shadowUrl: string, init: RequestInit, primary: Promise<Response | undefined>): void;
  /** Aborts shadow calls still in flight and waits for them to settle. */
  close(): Promise<void>;
}

export interface ShadowMirrorOptions {
  shadow: Required<ShadowOptions>;
  /** The transport for shadow calls (same pool, no retries, no breaker). */
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  random?: () => number;
  onResult: (result: ShadowResult) => void;
}

async function answerOf(response: Response): Promise<ShadowAnswer> {
  return { status: response.status, bodyHash: hashBody(await response.arrayBuffer()) };
}

/** The transport-neutral half of shadowing: sampling, comparison, and the calls in flight. */
export interface ShadowComparer {
  /** Whether this call is one of the share to mirror (false once closing). Draws one random number. */
  sample(): boolean;
  /**
   * Fire and forget: `send` calls the shadow at once (abort on `signal`: shadow
   * timeout or close); both answers are compared once in. Never throws. `primary`
   * resolves to the primary's answer, or undefined when it failed (nothing to compare).
   */
  compare(send: (signal: AbortSignal) => Promise<ShadowAnswer>, primary: Promise<ShadowAnswer | undefined>): void;
  /** Aborts shadow calls still in flight and waits for them to settle. */
  close(): Promise<void>;
}

export interface ShadowComparerOptions {
  shadow: Required<ShadowOptions>;
  random?: () => number;
  onResult: (result: ShadowResult) => void;
}

export function createShadowComparer({
  shadow,
  random = Math.random,
  onResult,
}: ShadowComparerOptions): ShadowComparer {
  const inFlight = new Set<Promise<void>>();
  const closing = new AbortController();

  const run = async (
    send: (signal: AbortSignal) => Promise<ShadowAnswer>,
    primary: Promise<ShadowAnswer | undefined>,
  ) => {
    const signal = AbortSignal.any([closing.signal, AbortSignal.timeout(shadow.timeoutMs)]);
    const [mine, theirs] = await Promise.allSettled([primary, send(signal)]);
    if (mine.status === 'rejected' || !mine.value) return; // the primary failed: nothing to compare
    if (theirs.status === 'rejected') {
      onResult({
        result: 'error',
        differences: [],
        primary: mine.value,
        error: (theirs.reason as Error)?.message ?? String(theirs.reason),
      });
      return;
    }
    onResult(compareShadowAnswers(mine.value, theirs.value));
  };

  return {
    sample: () => !closing.signal.aborted && random() < shadow.ratio,
    compare(send, primary) {
      const task = run(send, primary)
        .catch(() => undefined)
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
    },
    async close() {
      closing.abort();
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** Shadowing for fetch-style transports (the HTTP client), over the shared comparer. */
export function createShadowMirror({
  shadow,
  fetch,
  random = Math.random,
  onResult,
}: ShadowMirrorOptions): ShadowMirror {
  const comparer = createShadowComparer({ shadow, random, onResult });
  return {
    mirror(url, init, primary) {
      if (!comparer.sample() || !isReplayableBody(init.body)) return;
      // `primary` resolves to a clone of the primary's response: the caller reads the original at its own pace.
      const primaryAnswer = primary.then((response) => (response ? answerOf(response) : undefined));
      comparer.compare((signal) => fetch(url, { ...init, signal }).then(answerOf), primaryAnswer);
    },
    close: () => comparer.close(),
  };
}
