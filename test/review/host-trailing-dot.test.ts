/**
 * Review finding (low; issue 18 §4 proxies / issue 16 §3 URL building, other Host spellings): a
 * Host header with the DNS root dot (`www.example.org.`, what a browser sends when the visitor
 * followed a link or typed the name with it; most sites answer it) does not pass the host check,
 * so a logged-in visitor's click fails with SSO_INVALID_HOST and they go on as a guest. The same
 * for `X-Forwarded-Host: www.example.org.` under `trust proxy`. The root dot names the same host:
 * accept it (dropping the dot when building the callback URL), or say in the README that baseUrl
 * avoids it.
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

describe('review: a Host header with the root dot is the same host', () => {
  test.each([
    ['Host: localhost.:<port>', (port: string) => ({ host: `localhost.:${port}` })],
    ['X-Forwarded-Host: www.example.org. (trusted proxy)', () => ({ 'x-forwarded-host': 'www.example.org.' })],
  ])('%s: the logged-in visitor is handed over, not sent on as a guest', async (_label, headers) => {
    app = await startHostApp(fake, { constituent: () => ({ consId: '1001641' }) });
    const res = await request(`${app.url}/luminate/sso?next=x`, { headers: headers(new URL(app.url).port) });
    await res.body.text();
    expect(app.errors.map((e) => e.code)).toEqual([]);
    expect(app.handoffs).toHaveLength(1);
  });
});
