import { createFakeLuminate } from '../../src/testing';
import { rejection } from '../client/helpers';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { count, soapLog, wsFor } from './helpers';

const fake = useFakeLuminate();

describe('LuminateWebServices against the stand-in', () => {
  it('logs in, and the session header carries an authenticated call', async () => {
    const ws = wsFor(fake);
    try {
      expect(ws.hasFreshSession).toBe(false);
      await ws.login();
      expect(ws.hasFreshSession).toBe(true);
      expect(fake.webServicesSessions.size).toBe(1);
      const time = await ws.getServerTime();
      expect(new Date(time).toISOString()).toBe(time);
      expect(soapLog(fake)).toEqual(['Login ok', 'GetServerTime ok']);
      const login = fake.requests[0]!;
      expect(login.method).toBe('POST');
      expect(login.headers['content-type']).toBe('text/xml; charset=utf-8');
      expect(login.headers.soapaction).toBe('""');
      expect(login.headers.cookie).toBeUndefined();
    } finally {
      await ws.close();
    }
  });

  it('logs in by itself on the first call', async () => {
    const ws = wsFor(fake);
    await ws.getServerTime();
    await ws.close();
    expect(soapLog(fake)).toEqual(['Login ok', 'GetServerTime ok']);
  });

  it('answers a refused Login with LUMINATE_WS_LOGIN_FAULT, and sends no call', async () => {
    const ws = wsFor(fake, { password: 'not-the-password' });
    try {
      const err = await rejection(ws.login());
      expect(err.code).toBe('LUMINATE_WS_LOGIN_FAULT');
      expect(err.status).toBe(502);
      expect(err.upstreamStatus).toBe(500);
      expect(err.message).toMatch(/Login with LoginFault: Invalid user name or password/);
      expect(err.message).toContain('LOGIN_FAILED');
      const viaCall = await rejection(ws.getServerTime());
      expect(viaCall.code).toBe('LUMINATE_WS_LOGIN_FAULT');
      expect(soapLog(fake)).toEqual(['Login fault LoginFault', 'Login fault LoginFault']);
      expect(ws.hasFreshSession).toBe(false);
    } finally {
      await ws.close();
    }
  });

  it('reuses a fresh session', async () => {
    const ws = wsFor(fake);
    for (let i = 0; i < 5; i += 1) await ws.getServerTime();
    await ws.close();
    expect(count(soapLog(fake), 'Login ok')).toBe(1);
    expect(count(soapLog(fake), 'GetServerTime ok')).toBe(5);
  });

  it('logs in again before a call when the session has been idle longer than sessionIdleMs', async () => {
    const ws = wsFor(fake, { sessionIdleMs: 80 });
    try {
      await ws.getServerTime();
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(ws.hasFreshSession).toBe(false);
      await ws.getServerTime();
      expect(soapLog(fake)).toEqual(['Login ok', 'GetServerTime ok', 'Login ok', 'GetServerTime ok']);
    } finally {
      await ws.close();
    }
  });

  it('logs in again and retries once when Luminate refuses the session', async () => {
    const ws = wsFor(fake);
    try {
      await ws.getServerTime();
      fake.expireWebServicesSessions();
      await ws.getServerTime();
      expect(soapLog(fake)).toEqual([
        'Login ok', 'GetServerTime ok', 'GetServerTime fault SessionFault', 'Login ok', 'GetServerTime ok',
      ]);
    } finally {
      await ws.close();
    }
  });

  it('logs in single-flight: 20 concurrent first calls make one Login', async () => {
    const ws = wsFor(fake);
    try {
      const times = await Promise.all(Array.from({ length: 20 }, () => ws.getServerTime()));
      expect(times).toHaveLength(20);
      expect(count(soapLog(fake), 'Login ok')).toBe(1);
      expect(count(soapLog(fake), 'GetServerTime ok')).toBe(20);
    } finally {
      await ws.close();
    }
  });

  it('renews single-flight: 20 concurrent calls refused with the same session make one more Login', async () => {
    const ws = wsFor(fake);
    try {
      await ws.getServerTime();
      fake.expireWebServicesSessions();
      await Promise.all(Array.from({ length: 20 }, () => ws.getServerTime()));
      const log = soapLog(fake);
      expect(count(log, 'Login ok')).toBe(2);
      expect(count(log, 'GetServerTime ok')).toBe(21);
    } finally {
      await ws.close();
    }
  });

  it('a login() while others wait shares their Login', async () => {
    const ws = wsFor(fake);
    try {
      await Promise.all([ws.login(), ws.getServerTime(), ws.login(), ws.getServerTime()]);
      expect(count(soapLog(fake), 'Login ok')).toBe(1);
      await ws.login(); // a forced, fresh Login
      expect(count(soapLog(fake), 'Login ok')).toBe(2);
    } finally {
      await ws.close();
    }
  });

  it('refuses calls after close()', async () => {
    const ws = wsFor(fake);
    await ws.getServerTime();
    await Promise.all([ws.close(), ws.close()]);
    expect(ws.hasFreshSession).toBe(false);
    expect((await rejection(ws.getServerTime())).code).toBe('LUMINATE_CLIENT_CLOSED');
    expect((await rejection(ws.login())).code).toBe('LUMINATE_CLIENT_CLOSED');
  });

  it('reports another fault as LUMINATE_WS_FAULT without a retry', async () => {
    const ws = wsFor(fake);
    try {
      const err = await rejection(ws.call('NoSuchOperation', { A: 'b' }));
      expect(err.code).toBe('LUMINATE_WS_FAULT');
      expect(err.message).toContain('does not implement NoSuchOperation');
      expect(soapLog(fake)).toEqual(['Login ok', 'NoSuchOperation fault Client']);
    } finally {
      await ws.close();
    }
  });
});

describe('exactly one retry', () => {
  it('gives up with LUMINATE_WS_SESSION_FAULT when the fresh session is refused too', async () => {
    // Every request sees the clock 31 minutes later, so every session has lapsed when it is used.
    let clock = Date.now();
    const lapsing = await createFakeLuminate({ now: () => (clock += 31 * 60 * 1000) });
    const ws = wsFor(lapsing);
    try {
      const err = await rejection(ws.getServerTime());
      expect(err.code).toBe('LUMINATE_WS_SESSION_FAULT');
      expect(err.message).toContain('SessionFault');
      expect(soapLog(lapsing)).toEqual([
        'Login ok', 'GetServerTime fault SessionFault', 'Login ok', 'GetServerTime fault SessionFault',
      ]);
    } finally {
      await ws.close();
      await lapsing.close();
    }
  });

  it('honours the stand-in\'s sessionIdleMs', async () => {
    let clock = 1_000_000;
    const idle = await createFakeLuminate({ now: () => clock, webServices: { userName: 'ws', password: 'ws-pass-1', sessionIdleMs: 1000 } });
    const ws = wsFor(idle);
    try {
      await ws.getServerTime();
      clock += 999;
      await ws.getServerTime();
      clock += 1000;
      await ws.getServerTime();
      expect(soapLog(idle)).toEqual([
        'Login ok', 'GetServerTime ok', 'GetServerTime ok', 'GetServerTime fault SessionFault', 'Login ok', 'GetServerTime ok',
      ]);
    } finally {
      await ws.close();
      await idle.close();
    }
  });
});
