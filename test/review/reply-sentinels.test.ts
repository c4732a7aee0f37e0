/**
 * Review findings (issue 16 §2, "fix the kind"): the sentinel and empty-value rules hold for the
 * exact spellings in the issue (`"null"`, `{}`, `<x/>`, xsi:nil) but not for the same kind spelled
 * otherwise:
 * - `"NULL"` / `"Null"` as the token is handed over (`sso_auth_token=NULL`, onHandoff success),
 *   and as the nonce makes an EstablishSession hop with `NONCE_TOKEN=NULL` instead of the
 *   singleSignOn fallback. Only the lower-case text is a sentinel.
 * - An empty optional value spelled `" "` (JSON) is refused as malformed and the donor goes on as
 *   a guest, while the same whitespace-only value in XML (`<nonce>  </nonce>`) is "absent" and
 *   logs the donor in; JSON `[]` (no item) is refused the same way.
 */
import { TestBrowser } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { startHostApp, type HostApp } from '../helpers/host-app';

const fake = useFakeLuminate();
let app: HostApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const destination = () => `${fake.secureUrl}/site/Donation2?df_id=5`;

function jsonReply(fields: Record<string, unknown>): void {
  fake.faults.rawReply = {
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
    body: JSON.stringify({ getSingleSignOnTokenResponse: { token: 'tok-123', cons_id: '1001641', ...fields } }),
  };
}

async function firstAnswer(over: Parameters<typeof startHostApp>[1]) {
  app = await startHostApp(fake, { luminate: { responseFormat: 'json' }, ...over });
  const browser = new TestBrowser();
  await browser.navigate(`${app.url}/login`, { method: 'POST', form: [['consId', '1001641']] });
  return browser.fetch('GET', `${app.url}/luminate/sso?next=${encodeURIComponent(destination())}`);
}

describe('review: the text null in other letter cases is no token, nonce or routing id', () => {
  test.each(['NULL', 'Null'])('"token":"%s" is LUMINATE_MALFORMED_RESPONSE, never posted', async (text) => {
    jsonReply({ token: text });
    const first = await firstAnswer({});
    expect(first.text).not.toContain('sso_auth_token');
    expect(app!.errors.map((e) => e.code)).toEqual(['LUMINATE_MALFORMED_RESPONSE']);
    expect(app!.handoffs).toEqual([]);
  });

  test('"nonce":"NULL" falls back to singleSignOn (no EstablishSession with NONCE_TOKEN=NULL)', async () => {
    jsonReply({ nonce: 'NULL' });
    const first = await firstAnswer({ handoff: 'establishSession' });
    expect(first.location ?? '').not.toContain('NONCE_TOKEN=NULL');
    expect(app!.handoffs.map((h) => h.handoff)).toEqual(['singleSignOn']);
  });
});

describe('review: an empty optional value is absent in JSON as it is in XML', () => {
  test.each([
    ['"nonce":" " (whitespace only; XML <nonce>  </nonce> is already absent)', { nonce: ' ' }],
    ['"nonce":[] (no item)', { nonce: [] }],
    ['"routing_id":" "', { nonce: '5D1A0C4E9B7F2A6D8E3C1B0A9F8E7D6C', routing_id: ' ' }],
  ])('%s: the donor is handed over, not sent on as a guest', async (_label, fields) => {
    jsonReply(fields);
    await firstAnswer({ handoff: 'establishSession' });
    expect(app!.errors.map((e) => e.code)).toEqual([]);
    expect(app!.handoffs).toHaveLength(1);
  });
});
