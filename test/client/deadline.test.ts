import { retryOnce, startDeadline } from '../../src/client/deadline';
import { toLuminateError } from '../../src/client/network-errors';

const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

describe('startDeadline', () => {
  it('aborts its signal when the caller aborts, and the error reads as the caller\'s', () => {
    const caller = new AbortController();
    const deadline = startDeadline(5000, 'example.org', caller.signal);
    const seen: unknown[] = [];
    deadline.signal.once('abort', () => seen.push(deadline.signal.reason));
    caller.abort(new Error('visitor left'));
    expect(deadline.signal.aborted).toBe(true);
    expect(seen).toEqual([caller.signal.reason]);
    expect(toLuminateError(new Error('aborted'), deadline.state).code).toBe('LUMINATE_ABORTED');
    deadline.clear();
  });

  it('starts aborted with an already aborted caller signal', () => {
    const deadline = startDeadline(5000, 'example.org', AbortSignal.abort());
    expect(deadline.signal.aborted).toBe(true);
    deadline.clear();
  });

  it('aborts with a TimeoutError when its time is up, and the error reads as a timeout', async () => {
    const deadline = startDeadline(10, 'example.org');
    await new Promise((resolve) => deadline.signal.once('abort', resolve));
    expect((deadline.signal.reason as DOMException).name).toBe('TimeoutError');
    expect(toLuminateError(new Error('aborted'), deadline.state).code).toBe('LUMINATE_TIMEOUT');
    deadline.clear();
  });

  it('stops listening to the caller once cleared', () => {
    const caller = new AbortController();
    const deadline = startDeadline(5000, 'example.org', caller.signal);
    deadline.clear();
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
    deadline.clear();
  });

  it('gives up the retry when the caller aborts as it begins', async () => {
    const caller = new AbortController();
    const deadline = startDeadline(5000, 'example.org', caller.signal);
    let calls = 0;
    const outcome = retryOnce(async () => {
      calls += 1;
      throw refused();
    }, { deadline, closing: () => false, onRetry: () => caller.abort() });
    try {
      const err = await outcome.then(() => undefined, (e: unknown) => e);
      expect(calls).toBe(1);
      expect(toLuminateError(err, deadline.state).code).toBe('LUMINATE_ABORTED');
    } finally {
      deadline.clear();
    }
  });

  it('gives up the retry when the deadline passes during the pause', async () => {
    const deadline = startDeadline(5000, 'example.org');
    // A microtask: the pause has begun (and listens) by then.
    const late = () => queueMicrotask(() => deadline.signal.abort(new DOMException('late', 'TimeoutError')));
    let calls = 0;
    const outcome = retryOnce(async () => {
      calls += 1;
      throw refused();
    }, { deadline, closing: () => false, onRetry: late });
    try {
      const err = await outcome.then(() => undefined, (e: unknown) => e);
      expect(calls).toBe(1);
      expect(toLuminateError(err, deadline.state).code).toBe('LUMINATE_TIMEOUT');
    } finally {
      deadline.clear();
    }
  });
});
