import { retryOnce, startDeadline, type Deadline } from '../../src/luminate/deadline';
import { toLuminateError } from '../../src/luminate/network-errors';

const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

const aborted = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));

describe('startDeadline', () => {
  it('aborts its signal when the caller aborts, and the error reads as the caller\'s', () => {
    const caller = new AbortController();
    const deadline = startDeadline(5000, 'example.org', caller.signal);
    const seen: unknown[] = [];
    deadline.signal.addEventListener('abort', () => seen.push(deadline.signal.reason), { once: true });
    caller.abort(new Error('visitor left'));
    expect(deadline.signal.aborted).toBe(true);
    expect(seen).toEqual([caller.signal.reason]);
    expect(toLuminateError(new Error('aborted'), deadline.state).code).toBe('LUMINATE_ABORTED');
  });

  it('starts aborted with an already aborted caller signal', () => {
    const deadline = startDeadline(5000, 'example.org', AbortSignal.abort());
    expect(deadline.signal.aborted).toBe(true);
  });

  it('aborts with a TimeoutError when its time is up, and the error reads as a timeout', async () => {
    const caller = new AbortController();
    const deadline = startDeadline(10, 'example.org', caller.signal);
    await aborted(deadline.signal);
    expect((deadline.signal.reason as DOMException).name).toBe('TimeoutError');
    expect(toLuminateError(new Error('aborted'), deadline.state).code).toBe('LUMINATE_TIMEOUT');
  });

  it('after end(), neither its time running out nor the caller aborts it', async () => {
    const caller = new AbortController();
    const deadline = startDeadline(10, 'example.org', caller.signal);
    deadline.end();
    await new Promise((resolve) => setTimeout(resolve, 30));
    caller.abort();
    expect(deadline.signal.aborted).toBe(false);
  });
});

describe('retryOnce', () => {
  it('retries a refused connection once after a pause', async () => {
    const deadline = startDeadline(5000, 'example.org');
    let calls = 0;
    const codes: Array<string | undefined> = [];
    const result = await retryOnce(async () => {
      calls += 1;
      if (calls === 1) throw refused();
      return 'ok';
    }, { deadline, closing: () => false, onRetry: (code) => codes.push(code) });
    expect(result).toBe('ok');
    expect(calls).toBe(2);
    expect(codes).toEqual(['ECONNREFUSED']);
  });

  it('gives up the retry when the caller aborts as it begins', async () => {
    const caller = new AbortController();
    const deadline = startDeadline(5000, 'example.org', caller.signal);
    let calls = 0;
    const outcome = retryOnce(async () => {
      calls += 1;
      throw refused();
    }, { deadline, closing: () => false, onRetry: () => caller.abort() });
    const err = await outcome.then(() => undefined, (e: unknown) => e);
    expect(calls).toBe(1);
    expect(toLuminateError(err, deadline.state).code).toBe('LUMINATE_ABORTED');
  });

  it('gives up the retry when the deadline passes during the pause', async () => {
    // A deadline whose time runs out on cue: the pause has begun (and listens) by the microtask.
    const timeout = new AbortController();
    const deadline: Deadline = {
      signal: timeout.signal, state: { deadline: timeout.signal, timeoutMs: 5000, host: 'example.org' }, timeoutMs: 5000,
      started: Date.now(), end: () => undefined,
    };
    const late = () => queueMicrotask(() => timeout.abort(new DOMException('late', 'TimeoutError')));
    let calls = 0;
    const outcome = retryOnce(async () => {
      calls += 1;
      throw refused();
    }, { deadline, closing: () => false, onRetry: late });
    const err = await outcome.then(() => undefined, (e: unknown) => e);
    expect(calls).toBe(1);
    expect(toLuminateError(err, deadline.state).code).toBe('LUMINATE_TIMEOUT');
  });
});
