/**
 * Review finding (issue 16 §3, a public path prefix in baseUrl, with odd slashes): baseUrl is
 * checked for scheme, credentials, query and fragment only, and its path becomes the prefix of
 * every site path the bridge hands a browser. A path that starts with two slashes
 * (`https://www.example.org//app`, easily made by `${ORIGIN}/${PREFIX}` with PREFIX='/app'), or
 * a backslash (`https://www.example.org/\app`, which the URL parser turns into `//app`), makes
 * those URLs protocol-relative: the anonymous visitor's login redirect is `Location: //app/login?…`,
 * i.e. the host named `app` (or `evil.example`). A set-up mistake, not visitor input, so low; the
 * fix is to refuse such a baseUrl at start-up (like paths.* already refuse a leading `//`).
 */
import { request } from 'undici';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { startHostApp, type HostApp } from '../helpers/host-app';

const fake = useFakeLuminate();
let app: HostApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('review: baseUrl whose path starts with // or \\', () => {
  test.each(['https://www.example.org//app', 'https://www.example.org/\\evil.example'])(
    'baseUrl %s: refused at start-up, or no URL given to the browser is protocol-relative',
    async (baseUrl) => {
      try {
        app = await startHostApp(fake, { baseUrl, constituent: () => null, loginUrl: '/login' });
      } catch (e) {
        expect(String((e as Error).message)).toMatch(/baseUrl/);
        return;
      }
      const res = await request(`${app.url}/luminate/sso?next=x`);
      await res.body.text();
      expect(res.statusCode).toBe(302);
      expect(String(res.headers.location)).not.toMatch(/^\/\//);
    },
  );
});
