/**
 * Review finding (issue 18 §4, requests that are not a visitor's click, other prefetch headers):
 * notNavigation knows `Sec-Purpose: prefetch` and `Purpose: prefetch`, but not the older spellings
 * browsers without Fetch Metadata send for the same kind of request: Firefox's `X-Moz: prefetch`
 * (link prefetch) and `X-Purpose: preview` / `Purpose: preview` (Safari's Top Sites and link
 * previews, Chrome's old instant pages). Such a request carries no Sec-Fetch-* header, so it is
 * taken as a navigation and mints a token (and uses up the visitor's throttle). Low: those
 * browsers are old or few.
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

describe('review: legacy prefetch / preview headers are not a click', () => {
  test.each([
    ['X-Moz: prefetch', { 'x-moz': 'prefetch' }],
    ['X-Purpose: preview', { 'x-purpose': 'preview' }],
    ['Purpose: preview', { purpose: 'preview' }],
  ])('%s: no token is minted', async (_label, headers) => {
    app = await startHostApp(fake, { constituent: () => ({ consId: '1001641' }) });
    const res = await request(`${app.url}/luminate/sso?next=x`, { headers });
    await res.body.text();
    expect(fake.requests.filter((r) => r.apiMethod === 'getSingleSignOnToken').length).toBe(0);
    expect(app.handoffs).toEqual([]);
  });
});
