/**
 * Review finding (issue 18 §1, "EstablishSession, CRConsAPI/SRConsAPI and the like are refused
 * ... in any encoding"): the redirector-servlet check looks only at the segment right after
 * `site`, so an empty segment (`/site//EstablishSession`, `/site///CRConsAPI`) slips past it.
 * Tomcat (Luminate's servlet container) merges `//` into `/` before mapping the servlet, so these
 * reach the redirector. Only matters with a widened allow list (`<secureUrl>/site/`, which the
 * README tells users to set to reach other pages); the narrow default refuses them by path.
 * Redirect parameters are still refused on their own, so what gets through are redirectors that
 * need none: `R?i=<id>` (a stored link), `CRConsAPI?method=logout` (logs the visitor out of
 * Luminate), `UserLogin`, `EstablishSession` without NEXTURL.
 */
import { request } from 'undici';
import { checkDestination, compileDestinations } from '../../src/http/destinations';
import { resolveReturnTo } from '../../src/login/return-to';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { startHostApp, type HostApp } from '../helpers/host-app';

const fake = useFakeLuminate();
let app: HostApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const DEFAULT = () => `${fake.secureUrl}/site/Donation2?df_id=1`;
const payloads = () => [
  `${fake.secureUrl}/site//EstablishSession?NONCE_TOKEN=x`,
  `${fake.secureUrl}/site//R?i=abc123`,
  `${fake.secureUrl}/site///UserLogin`,
  `${fake.secureUrl}/site//CRConsAPI?method=logout&api_key=x&v=1.0`,
  `${fake.secureUrl}/site//%45stablishSession?NONCE_TOKEN=x`,
];

describe('review: an empty path segment hides a Luminate redirector from the destination policy', () => {
  test('checkDestination refuses /site//<redirector> under the wide allow list', () => {
    const wide = compileDestinations({ allow: [`${fake.secureUrl}/site/`], default: DEFAULT() });
    const accepted = payloads().filter((p) => checkDestination(p, wide).ok);
    expect(accepted).toEqual([]);
  });

  test('GET /luminate/sso?next=/site//<redirector> (wide allow list, anonymous) goes to the default destination', async () => {
    app = await startHostApp(fake, { loginUrl: undefined, destinations: { allow: [`${fake.secureUrl}/site/`], default: DEFAULT() } });
    const followed: string[] = [];
    for (const next of payloads()) {
      const res = await request(`${app.url}/luminate/sso?next=${encodeURIComponent(next)}`);
      await res.body.text();
      if (res.headers.location !== DEFAULT()) followed.push(String(res.headers.location));
    }
    expect(followed).toEqual([]);
  });

  test("luminateLogin's returnTo: the same payloads fall back to the default under the wide allow list", () => {
    const wide = compileDestinations({ allow: [`${fake.secureUrl}/site/`], default: DEFAULT() });
    const accepted = payloads().filter((p) => resolveReturnTo(p, wide, '/').url !== '/');
    expect(accepted).toEqual([]);
  });
});
