import { captureDebugLines } from '../helpers/debug-lines';
import { TestBrowser, parseAutoPostForm } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { startHostApp } from '../helpers/host-app';

/**
 * With debug output on, runs the flows end to end and checks that the API password, the API
 * secret key, tokens and nonces appear in no log line and no error — and tokens only in the one
 * place each must go (the auto-post form body; the nonce in the EstablishSession hop).
 */
describe('secrets stay out of logs and errors', () => {
  const lines = captureDebugLines();
  const fake = useFakeLuminate({ apiSecretKey: 'S3cret-Key-For-Test', apiLogin: { name: 'apiadmin', password: 'Adm1n-Password-For-Test' } });

  it('across a singleSignOn, an establishSession, a refused token and an upstream failure', async () => {
    const errors: unknown[] = [];
    const failureAnswers: string[] = [];
    for (const handoff of ['singleSignOn', 'establishSession'] as const) {
      const app = await startHostApp(fake, { handoff, constituent: () => ({ consId: '1001641' }), onError: (e) => errors.push(e) });
      try {
        const browser = new TestBrowser();
        const end = await browser.navigate(`${app.url}/luminate/sso`);
        expect(end.text).toContain('data-cons-id="1001641"');
        // a refused token: the signed error callback
        const page = await browser.fetch('GET', `${app.url}/luminate/sso`);
        if (handoff === 'singleSignOn') {
          const form = parseAutoPostForm(page.text, app.url)!;
          await browser.navigate(form.action, { method: 'POST', form: form.fields.map(([k, v]) => [k, k === 'sso_auth_token' ? `${v}0` : v] as [string, string]) });
        }
        fake.faults.status = 503;
        const failed = await browser.fetch('GET', `${app.url}/luminate/sso`);
        expect(failed.status).toBe(302);
        failureAnswers.push(failed.text, JSON.stringify(failed.headers));
        fake.faults = {};
      } finally {
        await app.close();
      }
    }
    const tokens = fake.issuedTokens.flatMap((t) => [t.token, t.nonce].filter((v): v is string => Boolean(v)));
    expect(tokens.length).toBeGreaterThanOrEqual(4);
    expect(lines.length).toBeGreaterThan(10); // debug output was really captured
    const secrets = ['Adm1n-Password-For-Test', 'S3cret-Key-For-Test', ...tokens];
    const errorTexts = errors.map((e) => `${String(e)} ${JSON.stringify(e)} ${(e as Error).stack}`);
    for (const secret of secrets) {
      for (const haystack of [...lines, ...errorTexts]) expect(haystack).not.toContain(secret);
    }
    // failure answers (redirects to the destination) carry no token or nonce
    expect(failureAnswers).toHaveLength(4);
    for (const secret of secrets) for (const answer of failureAnswers) expect(answer).not.toContain(secret);
    // the password only ever travelled in POST bodies to SRConsAPI, never in a query string
    for (const r of fake.requests) expect(r.query).not.toContain('Adm1n-Password-For-Test');
  });
});
