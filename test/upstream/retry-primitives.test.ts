import { backoffDelayMs, timerSleep } from '../../src/upstream/backoff-delay';
import { createRetryBudget } from '../../src/upstream/retry-budget';
import { createSlidingWindow } from '../../src/upstream/sliding-window';
import { classifyAttempt, isFailureAnswer } from '../../src/upstream/upstream-failure';

describe('backoff with full jitter', () => {
  it('doubles the ceiling per retry, capped at maxDelayMs, and scales it by the random draw', () => {
    const top = () => 0.999999;
    expect([0, 1, 2, 3, 4, 5].map((retry) => backoffDelayMs(retry, 100, 1_000, top))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
    expect(backoffDelayMs(3, 100, 1_000, () => 0.5)).toBe(400);
    expect(backoffDelayMs(3, 100, 1_000, () => 0)).toBe(0);
  });

  it('sleeps not at all for 0 ms and ends early when aborted', async () => {
    await timerSleep(0);
    const controller = new AbortController();
    const sleeping = timerSleep(60_000, controller.signal);
    controller.abort();
    await expect(sleeping).resolves.toBeUndefined();
  });
});

describe('retry budget', () => {
  it('allows retries up to the ratio of requests in the window, plus the minimum', () => {
    let time = 0;
    const budget = createRetryBudget({ budgetRatio: 0.2, budgetMinRetries: 0, budgetWindowMs: 10_000 }, () => time);
    const granted: boolean[] = [];
    for (let index = 0; index < 10; index++) {
      budget.recordRequest();
      granted.push(budget.tryAcquireRetry(), budget.tryAcquireRetry());
    }
    expect(granted.filter(Boolean)).toHaveLength(2); // 20% of 10 requests
    time += 20_000; // the window moved on: the old requests no longer pay for retries
    expect(budget.tryAcquireRetry()).toBe(false);
  });

  it('always grants the minimum retries, even without traffic', () => {
    const budget = createRetryBudget({ budgetRatio: 0.2, budgetMinRetries: 3, budgetWindowMs: 10_000 }, () => 0);
    expect([1, 2, 3, 4].map(() => budget.tryAcquireRetry())).toEqual([true, true, true, false]);
  });
});

describe('sliding window', () => {
  it('sums the buckets still inside the window', () => {
    let time = 0;
    const window = createSlidingWindow(1_000, () => time, 10);
    window.add(1, 1);
    time = 500;
    window.add(2, 0);
    expect(window.totals()).toEqual({ total: 3, marked: 1 });
    time = 1_050; // the first bucket (0..99) expired
    expect(window.totals()).toEqual({ total: 2, marked: 0 });
    window.reset();
    expect(window.totals()).toEqual({ total: 0, marked: 0 });
  });
});

describe('attempt classification', () => {
  it('retries 502/503/504 but not 500 or 4xx; counts every 5xx as a failure', () => {
    expect(classifyAttempt({ status: 200 })).toEqual({ kind: 'ok' });
    expect(classifyAttempt({ status: 404 })).toEqual({ kind: 'ok' });
    expect(classifyAttempt({ status: 500 })).toEqual({ kind: 'http-failure', status: 500, retryable: false });
    for (const status of [502, 503, 504])
      expect(classifyAttempt({ status })).toEqual({ kind: 'http-failure', status, retryable: true });
  });

  it('retries connection errors, knows refused connections were never sent, and never retries timeouts', () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(classifyAttempt({ error: refused, timedOut: false })).toEqual({
      kind: 'network',
      code: 'ECONNREFUSED',
      retryable: true,
      notSent: true,
    });
    const reset = Object.assign(new TypeError('fetch failed'), { cause: { code: 'UND_ERR_SOCKET' } });
    expect(classifyAttempt({ error: reset, timedOut: false })).toEqual({
      kind: 'network',
      code: 'UND_ERR_SOCKET',
      retryable: true,
      notSent: false,
    });
    expect(classifyAttempt({ error: new Error('boom'), timedOut: false })).toEqual({
      kind: 'network',
      code: undefined,
      retryable: false,
      notSent: false,
    });
    expect(classifyAttempt({ error: new Error('aborted'), timedOut: true })).toEqual({ kind: 'timeout' });
  });

  it('knows local request-building errors and our own aborts from endpoint failures', () => {
    const invalid = Object.assign(new Error('invalid x-a header'), { code: 'UND_ERR_INVALID_ARG' });
    expect(classifyAttempt({ error: invalid, timedOut: false })).toEqual({
      kind: 'local',
      code: 'UND_ERR_INVALID_ARG',
    });
    expect(
      classifyAttempt({ error: Object.assign(new Error('aborted'), { code: 'UND_ERR_ABORTED' }), timedOut: false }),
    ).toEqual({ kind: 'aborted' });
    const broken = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    expect(classifyAttempt({ error: broken, timedOut: false, midBody: true })).toEqual({
      kind: 'network',
      code: 'UND_ERR_SOCKET',
      retryable: true,
      notSent: false,
      midBody: true,
    });
  });

  it('tells answers from endpoint failures per protocol', () => {
    const body = (text: string) => Buffer.from(text);
    const fault =
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode></s:Fault></s:Body></s:Envelope>';
    expect(isFailureAnswer('soap', 500, body(fault))).toBe(false);
    expect(isFailureAnswer('soap', 500, body('<html>oops</html>'))).toBe(true);
    const fault12 =
      '<?xml version="1.0"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Header><x/></env:Header>\n<env:Body xmlns:b="urn:b">\n  <env:Fault><env:Code><env:Value>env:Receiver</env:Value></env:Code></env:Fault></env:Body></env:Envelope>';
    expect(isFailureAnswer('soap', 500, body(fault12))).toBe(false);
    expect(isFailureAnswer('soap', 500, body(fault12.replace(/Fault/g, 'Answer')))).toBe(true);
    expect(isFailureAnswer('soap', 500, body(`<Body><Fault/></Body>`))).toBe(true); // no envelope
    expect(isFailureAnswer('soap', 503, body(fault))).toBe(true);
    expect(isFailureAnswer('rest', 500, body('{"code":"LOCKED"}'))).toBe(false);
    expect(isFailureAnswer('rest', 500, body('<html>oops</html>'))).toBe(true);
    expect(isFailureAnswer('rest', 500, body(''))).toBe(true);
    expect(isFailureAnswer('rest', 404, body('<html>nope</html>'))).toBe(false);
    expect(isFailureAnswer('graphql', 500, body('{"errors":[{"message":"boom"}]}'))).toBe(false);
    expect(isFailureAnswer('graphql', 500, body('{"message":"boom"}'))).toBe(true);
    expect(isFailureAnswer('http', 500, body('{"code":"LOCKED"}'))).toBe(true);
    expect(classifyAttempt({ status: 500, protocol: 'soap', body: body(fault) })).toEqual({ kind: 'ok' });
  });
});
