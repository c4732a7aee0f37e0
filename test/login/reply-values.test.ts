/** Issue 16 §2: a signed loginResponse with empty values as real sites send them still logs the member in. */
import { TestBrowser } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { ADA, postLogin, startLoginApp, whoami, type LoginApp } from './helpers';

const fake = useFakeLuminate();
let app: LoginApp | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});


describe('empty and sentinel values in the loginResponse', () => {
  it('JSON "nonce":{},"routing_id":{},"JSESSIONID":{} logs the member in (no EstablishSession hop: no nonce)', async () => {
    fake.faults.emptyFields = ['nonce', 'routing_id', 'JSESSIONID'];
    app = await startLoginApp(fake, { luminate: { responseFormat: 'json' } });
    const browser = new TestBrowser();
    const end = await postLogin(browser, app, { ...ADA, returnTo: '/' });
    expect(app.errors).toEqual([]);
    expect(end.url).toBe(`${app.url}/`);
    expect(await whoami(browser, app)).toBe('1001641');
    expect(app.logins).toEqual([{ consId: '1001641', mode: 'authenticateUser', destination: '/', establishSession: false }]);
    expect(browser.visited.some((v) => v.url.includes('EstablishSession'))).toBe(false);
  });

  it.each(['xml', 'json'] as const)('a "null" nonce and routing_id (%s) mean none: logged in without the hop', async (responseFormat) => {
    fake.faults.nullTextFields = ['nonce', 'routing_id'];
    app = await startLoginApp(fake, { luminate: { responseFormat } });
    const browser = new TestBrowser();
    await postLogin(browser, app, { ...ADA, returnTo: '/' });
    expect(app.errors).toEqual([]);
    expect(await whoami(browser, app)).toBe('1001641');
    expect(browser.visited.some((v) => v.url.includes('EstablishSession') || v.url.includes('null'))).toBe(false);
  });

  it('JSON numbers ("cons_id":1001641) log the member in with the id as a string', async () => {
    fake.faults.jsonNumbers = true;
    app = await startLoginApp(fake, { luminate: { responseFormat: 'json' } });
    const browser = new TestBrowser();
    await postLogin(browser, app, { ...ADA, returnTo: '/' });
    expect(app.errors).toEqual([]);
    expect(await whoami(browser, app)).toBe('1001641');
    expect(app.logins[0]!.consId).toBe('1001641');
  });
});
