import { TestBrowser, loggedInConsId } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { startHostApp, type HostApp } from '../helpers/host-app';

/**
 * Issue 16 §2: empty and sentinel values as real sites send them (seen in the field), through a
 * real host app and the stand-in's field-shape switches: `{}` is absent like null and `<x/>`,
 * the text `null` is never a token, nonce or routing id, and JSON numbers read as strings.
 */
describe('empty and sentinel values in the token reply', () => {
  const fake = useFakeLuminate();
  let app: HostApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const destination = (df: string) => `${fake.secureUrl}/site/Donation2?df_id=${df}`;

  async function click(over: Parameters<typeof startHostApp>[1], consId = '1001641') {
    app = await startHostApp(fake, over);
    const browser = new TestBrowser();
    await browser.navigate(`${app.url}/login`, { method: 'POST', form: [['consId', consId]] });
    const link = `${app.url}/luminate/sso?next=${encodeURIComponent(destination('5'))}`;
    const end = await browser.navigate(link); // follows redirects and the auto-posting handoff page
    return { browser, end };
  }

  /** The bridge's own answer to the click, not followed. */
  async function firstAnswer(over: Parameters<typeof startHostApp>[1], consId = '1001641') {
    app = await startHostApp(fake, over);
    const browser = new TestBrowser();
    await browser.navigate(`${app.url}/login`, { method: 'POST', form: [['consId', consId]] });
    const first = await browser.fetch('GET', `${app.url}/luminate/sso?next=${encodeURIComponent(destination('5'))}`);
    const end = await browser.navigate(first.location ?? `${app.url}/`);
    return { first, end };
  }

  it('JSON "routing_id":{} (as text/plain) is no routing id: handed over without ;jsessionid', async () => {
    fake.faults.emptyFields = ['routing_id'];
    const { browser, end } = await click({ handoff: 'establishSession', luminate: { responseFormat: 'json' } });
    expect(app!.errors.map((e) => e.code)).toEqual([]);
    expect(loggedInConsId(end.text)).toBe('1001641');
    const hop = browser.visited.find((v) => v.url.includes('/site/EstablishSession'))!;
    expect(hop.url).toMatch(/\/fakeorg\/site\/EstablishSession\?NONCE_TOKEN=/);
    expect(app!.handoffs).toEqual([{ consId: '1001641', handoff: 'establishSession', destination: destination('5') }]);
  });

  it('the example as sent (text/plain, "routing_id":{}) is handed over', async () => {
    const nonce = '5D1A0C4E9B7F2A6D8E3C1B0A9F8E7D6C';
    fake.faults.rawReply = {
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: `{"getSingleSignOnTokenResponse":{"token":"tok-123","cons_id":"1001641","nonce":"${nonce}","routing_id":{},"JSESSIONID":"ABC"}}`,
    };
    const { first } = await firstAnswer({ handoff: 'establishSession', luminate: { responseFormat: 'json' } });
    expect(app!.errors).toEqual([]);
    expect(first.status).toBe(302);
    expect(first.location).toBe(`${fake.secureUrl}/site/EstablishSession?NONCE_TOKEN=${nonce}&NEXTURL=${encodeURIComponent(destination('5'))}`);
    expect(app!.handoffs).toEqual([{ consId: '1001641', handoff: 'establishSession', destination: destination('5') }]);
  });

  it('the example as sent ("token":"null") is LUMINATE_MALFORMED_RESPONSE, never posted', async () => {
    fake.faults.rawReply = {
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: '{"getSingleSignOnTokenResponse":{"token":"null","cons_id":"1001641"}}',
    };
    const { first } = await firstAnswer({ luminate: { responseFormat: 'json' } });
    expect(first.location).toBe(destination('5'));
    expect(first.text).not.toContain('sso_auth_token');
    expect(app!.errors.map((e) => e.code)).toEqual(['LUMINATE_MALFORMED_RESPONSE']);
    expect(app!.handoffs).toEqual([]);
  });

  it('JSON "nonce":{},"routing_id":{},"JSESSIONID":{} means singleSignOn, and logs in', async () => {
    fake.faults.emptyFields = ['nonce', 'routing_id', 'JSESSIONID'];
    const { end } = await click({ handoff: 'establishSession', luminate: { responseFormat: 'json' } });
    expect(app!.errors.map((e) => e.code)).toEqual([]);
    expect(loggedInConsId(end.text)).toBe('1001641');
    expect(app!.handoffs).toEqual([{ consId: '1001641', handoff: 'singleSignOn', destination: destination('5') }]);
  });

  it.each(['xml', 'json'] as const)('a "null" token (%s) is LUMINATE_MALFORMED_RESPONSE and the failure policy, at once', async (responseFormat) => {
    fake.faults.nullTextFields = ['token'];
    const { first, end } = await firstAnswer({ luminate: { responseFormat } });
    expect(first.status).toBe(302);
    expect(first.location).toBe(destination('5'));
    expect(app!.errors.map((e) => e.code)).toEqual(['LUMINATE_MALFORMED_RESPONSE']);
    expect(app!.handoffs).toEqual([]);
    expect(fake.requests.some((r) => r.apiMethod === 'singleSignOn')).toBe(false);
    expect(fake.requests.filter((r) => r.apiMethod === 'getSingleSignOnToken')).toHaveLength(1);
    expect(loggedInConsId(end.text)).toBe('');
  });

  it.each(['xml', 'json'] as const)('a "null" cons_id (%s) is LUMINATE_MALFORMED_RESPONSE', async (responseFormat) => {
    fake.faults.nullTextFields = ['cons_id'];
    const { first } = await firstAnswer({ luminate: { responseFormat } });
    expect(first.location).toBe(destination('5'));
    expect(app!.errors.map((e) => e.code)).toEqual(['LUMINATE_MALFORMED_RESPONSE']);
    expect(app!.handoffs).toEqual([]);
  });

  it.each(['xml', 'json'] as const)('a "null" nonce (%s) means no nonce: singleSignOn, logged in', async (responseFormat) => {
    fake.faults.nullTextFields = ['nonce'];
    const { end } = await click({ handoff: 'establishSession', luminate: { responseFormat } });
    expect(app!.errors).toEqual([]);
    expect(loggedInConsId(end.text)).toBe('1001641');
    expect(app!.handoffs[0]).toMatchObject({ handoff: 'singleSignOn' });
  });

  it.each(['xml', 'json'] as const)('a "null" routing_id (%s) means no ;jsessionid, logged in', async (responseFormat) => {
    fake.faults.nullTextFields = ['routing_id'];
    const { browser, end } = await click({ handoff: 'establishSession', luminate: { responseFormat } });
    expect(app!.errors).toEqual([]);
    expect(loggedInConsId(end.text)).toBe('1001641');
    const hop = browser.visited.find((v) => v.url.includes('/site/EstablishSession'))!;
    expect(hop.url).not.toContain('jsessionid');
    expect(hop.url).not.toContain('null');
  });

  it('JSON numbers ("cons_id":1001641) are read as strings', async () => {
    fake.faults.jsonNumbers = true;
    const { end } = await click({ luminate: { responseFormat: 'json' } });
    expect(app!.errors).toEqual([]);
    expect(loggedInConsId(end.text)).toBe('1001641');
    expect(app!.handoffs).toEqual([{ consId: '1001641', handoff: 'singleSignOn', destination: destination('5') }]);
  });

  it('JSON numbers in an errorResponse ("code":16) keep their meaning', async () => {
    fake.faults.jsonNumbers = true;
    const { first } = await firstAnswer({ luminate: { responseFormat: 'json' } }, '999999');
    expect(first.location).toBe(destination('5'));
    expect(app!.errors.map((e) => [e.code, e.luminateCode])).toEqual([['LUMINATE_CONSTITUENT_NOT_FOUND', 16]]);
  });
});
