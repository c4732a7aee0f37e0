import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { LuminateSsoOptions } from '../../src';
import { LuminateClient } from '../../src/luminate/luminate-client';
import { isLuminateError, type LuminateError, type LuminateErrorCode } from '../../src/errors';
import { createFakeLuminate, type FakeLuminate } from '../../src/testing';
import { TestBrowser, loggedInConsId } from '../helpers/browser';
import { startHostApp, type HostApp } from '../helpers/host-app';
import { reportCounts } from './counts';
import { activeResources, leftoverResources, recordUnhandledRejections, type RejectionRecorder } from './guards';

/**
 * Faults of the stand-in Luminate, each seen three ways: by a LuminateClient, by a visitor of an
 * app with onFailure 'continue' (on to the destination as a guest) and by one with 'error' (the
 * host's error handler gets the typed error). Every scenario builds its own stand-in, apps and
 * client, closes them, and then checks that no socket, server or timer is left and that no promise
 * rejection went unhandled. `npm run test:handles` runs this folder under --detectOpenHandles.
 */

const CONS_ID = '1001641';
const TIMEOUT_MS = 1500;
/** Scheduling slack on top of the deadline: a correctness bound (an answer comes), not a speed claim. */
const SLACK_MS = 2000;

let rejections: RejectionRecorder;
const counts = { scenarios: 0, faultsInjected: 0, visitorRequests: 0, clientCalls: 0 };
beforeAll(() => {
  rejections = recordUnhandledRejections();
});
afterEach(() => {
  expect(rejections.seen).toEqual([]);
});
afterAll(() => {
  rejections.stop();
  reportCounts('faults', counts);
});

interface Rig {
  fake: FakeLuminate;
  /** onFailure 'continue' and 'error', both on the stand-in. */
  guest: HostApp;
  strict: HostApp;
  client: LuminateClient;
  destination: string;
}

/** Options of the harness apps: one visitor clicking many times (no throttle), a short deadline. */
function appOptions(over: Partial<LuminateSsoOptions> = {}): Partial<LuminateSsoOptions> {
  return { constituent: () => ({ consId: CONS_ID }), throttle: false, ...over, luminate: { timeoutMs: TIMEOUT_MS, ...over.luminate } };
}

/**
 * Runs a scenario on a fresh rig, closes everything (also a stand-in the scenario restarted), then
 * asserts that nothing was left open. `rig.fake` may be replaced by the scenario.
 */
async function withRig(scenario: (rig: Rig) => Promise<void>): Promise<void> {
  counts.scenarios += 1;
  const baseline = activeResources();
  const fake = await createFakeLuminate();
  const rig: Rig = {
    fake,
    guest: await startHostApp(fake, appOptions()),
    strict: await startHostApp(fake, appOptions({ onFailure: 'error' })),
    client: new LuminateClient({ secureUrl: fake.secureUrl, apiKey: fake.apiKey, apiLogin: fake.apiLogin, timeoutMs: TIMEOUT_MS }),
    destination: `${fake.secureUrl}/site/Donation2?df_id=31`,
  };
  try {
    await scenario(rig);
  } finally {
    await rig.guest.close();
    await rig.strict.close();
    await rig.client.close();
    await rig.fake.close();
  }
  expect(await leftoverResources(baseline)).toEqual({});
}

const startUrl = (app: HostApp, destination: string): string => `${app.url}/luminate/sso?next=${encodeURIComponent(destination)}`;

/** A visitor of the 'continue' app: on to the destination as a guest, the code seen by onError. */
async function expectGuest(rig: Rig, code: LuminateErrorCode): Promise<void> {
  counts.visitorRequests += 1;
  const errorsBefore = rig.guest.errors.length;
  const started = Date.now();
  const res = await new TestBrowser().fetch('GET', startUrl(rig.guest, rig.destination));
  expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  expect(res.status).toBe(302);
  expect(res.location).toBe(rig.destination);
  expect(rig.guest.errors.slice(errorsBefore).map((e) => e.code)).toEqual([code]);
}

/** A visitor of the 'error' app: the host's error handler answers with err.status and err.code. */
async function expectErrorHandler(rig: Rig, code: LuminateErrorCode): Promise<void> {
  counts.visitorRequests += 1;
  const res = await new TestBrowser().fetch('GET', startUrl(rig.strict, rig.destination));
  expect(res.status).toBe(code === 'LUMINATE_TIMEOUT' ? 504 : 502);
  expect(JSON.parse(res.text)).toEqual({ code });
}

/** The client's call rejects with a LuminateError carrying `code`. */
async function expectClientError(client: LuminateClient, code: LuminateErrorCode): Promise<LuminateError> {
  counts.clientCalls += 1;
  const err = await client.getSingleSignOnToken({ consId: CONS_ID }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isLuminateError(err)).toBe(true);
  expect((err as LuminateError).code).toBe(code);
  return err as LuminateError;
}

/** The fault seen all three ways. */
async function expectAllThree(rig: Rig, code: LuminateErrorCode): Promise<void> {
  await expectGuest(rig, code);
  await expectErrorHandler(rig, code);
  await expectClientError(rig.client, code);
  counts.faultsInjected += 3;
}

/** The handoff works end to end: the visitor lands on the donation page logged in, the client gets a token. */
async function expectRecovered(rig: Rig): Promise<void> {
  counts.visitorRequests += 1;
  counts.clientCalls += 1;
  const end = await new TestBrowser().navigate(startUrl(rig.guest, rig.destination));
  expect(new URL(end.url).searchParams.get('df_id')).toBe('31');
  expect(loggedInConsId(end.text)).toBe(CONS_ID);
  const strict = await new TestBrowser().fetch('GET', startUrl(rig.strict, rig.destination));
  expect(strict.status).toBe(200);
  await expect(rig.client.getSingleSignOnToken({ consId: CONS_ID })).resolves.toMatchObject({ consId: CONS_ID });
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Waits (bounded) until the stand-in has received `n` requests. */
async function arrived(fake: FakeLuminate, n: number): Promise<void> {
  for (let i = 0; i < 200 && fake.requests.length < n; i += 1) await new Promise((r) => setTimeout(r, 10));
  expect(fake.requests.length).toBeGreaterThanOrEqual(n);
}

/** The same stand-in (same port, same credentials) started again: a process restart. */
async function restart(rig: Rig): Promise<void> {
  const { port } = rig.fake;
  await rig.fake.close();
  rig.fake = await createFakeLuminate({ port });
}

describe('faults of the stand-in Luminate', () => {
  it('latency beyond the deadline → LUMINATE_TIMEOUT within the deadline, then recovery', async () => {
    await withRig(async (rig) => {
      rig.fake.faults.latencyMs = 10_000;
      await expectAllThree(rig, 'LUMINATE_TIMEOUT');
      rig.fake.reset();
      await expectRecovered(rig);
    });
  });

  it('a reset in the middle of the body → LUMINATE_CONNECTION_RESET, then recovery', async () => {
    await withRig(async (rig) => {
      rig.fake.faults.resetMidBody = true;
      await expectAllThree(rig, 'LUMINATE_CONNECTION_RESET');
      expect(rig.fake.requests.map((r) => r.outcome)).toEqual(Array(3).fill('fault resetMidBody'));
      rig.fake.reset();
      await expectRecovered(rig);
    });
  });

  it('a refused connection (closed port) → LUMINATE_CONNECTION_REFUSED', async () => {
    const port = await closedPort();
    await withRig(async (rig) => {
      const secureUrl = `http://127.0.0.1:${port}/fakeorg`;
      const down = { luminate: { secureUrl }, destinations: { default: `${secureUrl}/site/Donation2?df_id=1` } };
      const guest = await startHostApp(rig.fake, appOptions(down));
      const strict = await startHostApp(rig.fake, appOptions({ ...down, onFailure: 'error' }));
      const client = new LuminateClient({ secureUrl, apiKey: 'k', apiLogin: { name: 'n', password: 'p' }, timeoutMs: TIMEOUT_MS });
      try {
        await expectAllThree({ ...rig, guest, strict, client, destination: `${secureUrl}/site/Donation2?df_id=31` }, 'LUMINATE_CONNECTION_REFUSED');
      } finally {
        await guest.close();
        await strict.close();
        await client.close();
      }
    });
  });

  it('a burst of 5xx answers → LUMINATE_HTTP_ERROR for each, then recovery', async () => {
    await withRig(async (rig) => {
      for (const status of [500, 502, 503, 504, 503]) {
        rig.fake.faults = { status, times: 3 };
        await expectAllThree(rig, 'LUMINATE_HTTP_ERROR');
        expect(rig.fake.faults).toEqual({});
      }
      // Several visitors at once during a burst: each one answered, each one a guest.
      rig.fake.faults = { status: 503, times: 8 };
      counts.faultsInjected += 8;
      counts.visitorRequests += 8;
      const burst = await Promise.all(Array.from({ length: 8 }, () => new TestBrowser().fetch('GET', startUrl(rig.guest, rig.destination))));
      expect(burst.map((r) => [r.status, r.location])).toEqual(Array(8).fill([302, rig.destination]));
      await expectRecovered(rig);
    });
  });

  it('the stand-in restarting between requests: refused while down, the next handoff succeeds', async () => {
    await withRig(async (rig) => {
      await expectRecovered(rig); // keep-alive connections are now open in the bridge's pool
      const { port } = rig.fake;
      await rig.fake.close();
      await expectAllThree(rig, 'LUMINATE_CONNECTION_REFUSED');
      rig.fake = await createFakeLuminate({ port });
      await expectRecovered(rig);
    });
  });

  it('the stand-in restarting at once, with idle pooled connections: the next handoff succeeds', async () => {
    await withRig(async (rig) => {
      for (let round = 0; round < 3; round += 1) {
        await expectRecovered(rig);
        await restart(rig);
        counts.faultsInjected += 1;
      }
      await expectRecovered(rig);
    });
  });

  it('the stand-in restarting with requests in flight: each one answered, then the next handoff succeeds', async () => {
    await withRig(async (rig) => {
      await expectRecovered(rig);
      rig.fake.faults.latencyMs = 5000; // held until the restart cuts them
      const guests = Array.from({ length: 4 }, () => new TestBrowser().fetch('GET', startUrl(rig.guest, rig.destination)));
      const strict = new TestBrowser().fetch('GET', startUrl(rig.strict, rig.destination));
      const call = rig.client.getSingleSignOnToken({ consId: CONS_ID }).then(() => undefined, (e: unknown) => e as LuminateError);
      const before = rig.fake.requests.length;
      await arrived(rig.fake, before + 6);
      const errorsBefore = rig.guest.errors.length;
      await restart(rig);
      counts.faultsInjected += 6;
      counts.visitorRequests += 5;
      counts.clientCalls += 1;
      // A request cut on a new connection fails with a reset. One cut on a reused pooled
      // connection before any reply byte is sent once more on a new connection (issue 16 §1): it
      // is handed over when the restarted stand-in already listens, refused when not yet.
      const cut = ['LUMINATE_CONNECTION_RESET', 'LUMINATE_CONNECTION_REFUSED'];
      const guestResults = await Promise.all(guests);
      for (const res of guestResults) {
        if (res.status === 200) expect(res.text).toContain('sso_auth_token');
        else expect([res.status, res.location]).toEqual([302, rig.destination]);
      }
      const guestErrors = rig.guest.errors.slice(errorsBefore).map((e) => e.code);
      expect(guestErrors).toHaveLength(guestResults.filter((r) => r.status === 302).length);
      expect(guestErrors.filter((code) => code === 'LUMINATE_CONNECTION_RESET').length).toBeGreaterThanOrEqual(3); // 3 of 4 were on new connections
      for (const code of guestErrors) expect(cut).toContain(code);
      const strictRes = await strict;
      if (strictRes.status !== 200) {
        expect(strictRes.status).toBe(502);
        expect(cut).toContain((JSON.parse(strictRes.text) as { code: string }).code);
      }
      const callError = await call;
      if (callError !== undefined) expect(cut).toContain(callError.code);
      await expectRecovered(rig);
    });
  });
});
