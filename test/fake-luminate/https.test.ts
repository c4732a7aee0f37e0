import https from 'node:https';
import { createFakeLuminate, createSelfSignedCertificate, type FakeLuminate } from '../../src/testing';
import { TestClient, cookiePair, issueToken, setCookies, ssoForm, tokenForm } from './helpers';

describe('stand-in over HTTPS with a self-signed certificate made at test time', () => {
  let fake: FakeLuminate;
  let client: TestClient;
  let cert: string;

  beforeAll(async () => {
    const pair = createSelfSignedCertificate();
    cert = pair.cert;
    expect(pair.key).toMatch(/-----BEGIN PRIVATE KEY-----/);
    expect(cert).toMatch(/^-----BEGIN CERTIFICATE-----/);
    fake = await createFakeLuminate({ tls: pair });
    client = new TestClient(fake.secureUrl, cert);
  });
  afterAll(async () => {
    await client.close();
    await fake.close();
  });

  it('serves https:// URLs and the whole SSO hop, with Secure cookies', async () => {
    expect(fake.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(fake.secureUrl).toBe(`${fake.url}/fakeorg`);
    const t = await issueToken(client, fake, '1001641');
    const r = await client.post('/site/CRConsAPI', ssoForm(fake, t.token, { remember_me: 'true' }));
    expect(r.status).toBe(200);
    expect(setCookies(r)).toHaveLength(2);
    for (const c of setCookies(r)) expect(c).toMatch(/; Secure$/);
    const page = await client.get('/site/Donation2?df_id=9', { headers: { cookie: cookiePair(r, 'FAKE_LO_SESSION')! } });
    expect(page.text).toContain('data-cons-id="1001641"');
  });

  it('is refused by a client that does not trust the certificate', async () => {
    const untrusting = new TestClient(fake.secureUrl);
    try {
      await expect(untrusting.post('/site/SRConsAPI', tokenForm(fake, { cons_id: '1001641' }))).rejects.toMatchObject({
        code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/),
      });
    } finally {
      await untrusting.close();
    }
    expect(untrusting.agent).toBeInstanceOf(https.Agent);
    expect(fake.issuedTokens.filter((x) => x.consId === '1001641')).toHaveLength(1);
  });

  it('resets a TLS connection for the reset fault', async () => {
    fake.faults = { reset: true, times: 1 };
    await expect(client.post('/site/SRConsAPI', tokenForm(fake, { cons_id: '1001641' }))).rejects.toBeDefined();
    expect(fake.faults).toEqual({});
  });
});
