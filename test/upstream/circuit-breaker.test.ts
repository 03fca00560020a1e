import { createCircuitBreaker, type CircuitState } from '../../src/upstream/circuit-breaker';

const options = {
  failureRateThreshold: 0.5,
  minimumCalls: 4,
  windowMs: 10_000,
  coolDownMs: 5_000,
  halfOpenMaxCalls: 1,
};

function setup(overrides: Partial<typeof options> = {}) {
  let time = 1_000_000;
  const transitions: CircuitState[] = [];
  const breaker = createCircuitBreaker(
    { ...options, ...overrides },
    { now: () => time, onStateChange: (state) => transitions.push(state) },
  );
  const call = (failed: boolean) => {
    expect(breaker.isCallPermitted()).toBe(true);
    breaker.onCallStarted();
    if (failed) breaker.onFailure();
    else breaker.onSuccess();
  };
  return { breaker, transitions, call, advance: (ms: number) => (time += ms) };
}

describe('circuit breaker', () => {
  it('stays closed below the minimum number of calls, even when all fail', () => {
    const { breaker, call } = setup();
    for (let index = 0; index < 3; index++) call(true);
    expect(breaker.state()).toBe('closed');
  });

  it('opens once the window holds minimumCalls and the failure rate reaches the threshold', () => {
    const { breaker, call, transitions } = setup();
    call(false);
    call(false);
    call(true);
    expect(breaker.state()).toBe('closed'); // 1 of 3
    call(true); // 2 of 4 = 0.5
    expect(breaker.state()).toBe('open');
    expect(breaker.isCallPermitted()).toBe(false);
    expect(transitions).toEqual(['open']);
  });

  it('stays closed when the failure rate is under the threshold', () => {
    const { breaker, call } = setup();
    for (let index = 0; index < 9; index++) call(index % 3 === 2); // 3 of 9 fail, never half of the calls so far
    expect(breaker.state()).toBe('closed');
  });

  it('forgets outcomes older than the window', () => {
    const { breaker, call, advance } = setup();
    call(true);
    call(true);
    call(true);
    advance(11_000);
    call(true); // the three old failures fell out of the window: 1 call
    expect(breaker.state()).toBe('closed');
  });

  it('goes half-open after the cool-down, lets one probe through and closes on its success', () => {
    const { breaker, call, advance, transitions } = setup();
    for (let index = 0; index < 4; index++) call(true);
    advance(4_999);
    expect(breaker.isCallPermitted()).toBe(false);
    advance(1);
    expect(breaker.state()).toBe('half-open');
    breaker.onCallStarted();
    expect(breaker.isCallPermitted()).toBe(false); // one probe at a time
    breaker.onSuccess();
    expect(breaker.state()).toBe('closed');
    expect(transitions).toEqual(['open', 'half-open', 'closed']);
    call(true); // the window starts empty after closing
    expect(breaker.state()).toBe('closed');
  });

  it('re-opens for another cool-down when the half-open probe fails', () => {
    const { breaker, call, advance, transitions } = setup();
    for (let index = 0; index < 4; index++) call(true);
    advance(5_000);
    call(true);
    expect(breaker.state()).toBe('open');
    advance(4_000);
    expect(breaker.isCallPermitted()).toBe(false);
    advance(1_000);
    expect(breaker.state()).toBe('half-open');
    expect(transitions).toEqual(['open', 'half-open', 'open', 'half-open']);
  });

  it('a released call records nothing and frees its half-open probe slot', () => {
    const { breaker, call, advance } = setup();
    for (let index = 0; index < 4; index++) call(true);
    advance(5_000);
    expect(breaker.state()).toBe('half-open');
    breaker.onCallStarted();
    expect(breaker.isCallPermitted()).toBe(false); // the one probe slot is taken
    breaker.onCallReleased();
    expect(breaker.state()).toBe('half-open');
    expect(breaker.isCallPermitted()).toBe(true);
  });

  it('released calls never fill the window', () => {
    const { breaker } = setup();
    for (let index = 0; index < 20; index++) {
      breaker.onCallStarted();
      breaker.onCallReleased();
    }
    breaker.onCallStarted();
    breaker.onFailure();
    expect(breaker.state()).toBe('closed');
  });
});
