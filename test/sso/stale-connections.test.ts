import { TestBrowser, loggedInConsId } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { startHostApp, type HostApp } from '../helpers/host-app';

/**
 * Issue 16 §1, seen in the field: the load balancer in front of Luminate drops idle keep-alive
 * connections without telling the client, so a request written on such a pooled socket is reset
 * before any reply byte. The stand-in's `resetReusedConnections` answers the first request on a
 * connection and resets the next one on it; new connections always work.
 */
describe.each(['singleSignOn', 'establishSession'] as const)('stale pooled connections (%s)', (handoff) => {
  const fake = useFakeLuminate();
  let app: HostApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('three clicks in a row all land logged in: a request reset on a reused connection is sent again on a new one', async () => {
    app = await startHostApp(fake, { handoff });
    fake.faults.resetReusedConnections = true;
    const browser = new TestBrowser();
    await browser.navigate(`${app.url}/login`, { method: 'POST', form: [['consId', '1001641']] });
    for (let click = 1; click <= 3; click += 1) {
      const end = await browser.navigate(`${app.url}/luminate/sso?next=${encodeURIComponent(`${fake.secureUrl}/site/Donation2?df_id=${click}`)}`);
      expect(loggedInConsId(end.text)).toBe('1001641');
      expect(new URL(end.url).searchParams.get('df_id')).toBe(String(click));
    }
    expect(app.errors.map((e) => e.code)).toEqual([]);
    expect(app.handoffs).toHaveLength(3);
    // Click 2 met the dead pooled connection (reset before any reply byte) and was sent again on a
    // new one; that reset also emptied the pool, so click 3 opened a new connection of its own.
    const tokenCalls = fake.requests.filter((r) => r.path.endsWith('/site/SRConsAPI')).map((r) => r.outcome);
    expect(tokenCalls).toEqual(['ok', 'fault resetReusedConnections', 'ok', 'ok']);
    expect(fake.issuedTokens).toHaveLength(3);
  });
});
