import express from 'express';
import request from 'supertest';
import { sendRedirect } from '../../src/http/redirect';
import { establishSessionUrls } from '../../src/luminate/handoff';

/** What the URL API builds: the reference the string building must match exactly. */
function viaUrlApi(secureUrl: string, nonce: string, destination: string, routingId?: string): string {
  const url = new URL(`${secureUrl}/site/EstablishSession${routingId ? `;jsessionid=${routingId}` : ''}`);
  url.searchParams.set('NONCE_TOKEN', nonce);
  url.searchParams.set('NEXTURL', destination);
  return url.href;
}

const AWKWARD = [
  '', 'plain', 'a b', 'a+b', 'a%20b', '100%', "!'()~*-._", '&=?#/;:@,$[]', 'é', '日本', '😀', '\u0000\u001f\u007f',
  '\ud800', 'x\udc00y', 'https://secure2.convio.net/org/site/Donation2?df_id=1234&x=a b#frag',
];

describe('establishSessionUrls', () => {
  const secureUrls = ['https://secure2.convio.net/myorg', 'https://SECURE.Example.org:443/a%20b/org', 'http://127.0.0.1:4010', 'https://xn--bcher-kva.example/org'];

  it.each(secureUrls)('builds the same URL as the URL API for %s', (secureUrl) => {
    // One builder for the site, as a bridge has: every routing id reuses the destination before it.
    const establishSessionUrl = establishSessionUrls(secureUrl);
    for (const nonce of AWKWARD.filter((v) => v !== '')) {
      for (const routingId of [undefined, '00000000.appb', 'a-b_c.9']) {
        const destination = `${secureUrl}/site/Donation2?df_id=1&n=${nonce}`;
        const token = { nonce, ...(routingId ? { routingId } : {}) };
        expect(establishSessionUrl(token, destination)).toBe(viaUrlApi(secureUrl, nonce, destination, routingId));
      }
    }
  });

  it('leaves a routing id that is not in its alphabet out of the path', () => {
    const url = establishSessionUrls('https://secure2.convio.net/org')({ nonce: 'n', routingId: '../x;y' }, 'https://secure2.convio.net/org/site/Donation2');
    expect(url).toBe('https://secure2.convio.net/org/site/EstablishSession?NONCE_TOKEN=n&NEXTURL=https%3A%2F%2Fsecure2.convio.net%2Forg%2Fsite%2FDonation2');
  });
});

describe('sendRedirect', () => {
  const app = express();
  app.get('/go', (req, res) => sendRedirect(res, String(req.query.to), req.query.status === '303' ? 303 : 302));

  it('answers without a body, so a nonce in the URL is in the Location header only', async () => {
    const to = 'https://secure2.convio.net/org/site/EstablishSession;jsessionid=00000000.app1?NONCE_TOKEN=ABCDEF0123456789&NEXTURL=https%3A%2F%2Fwww.example.org%2F';
    const res = await request(app).get(`/go?to=${encodeURIComponent(to)}`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(to);
    expect(res.text ?? '').toBe('');
    expect(res.headers['content-type']).toBeUndefined();
  });

  it('encodes the Location as res.redirect would, and takes 303', async () => {
    const to = 'https://www.example.org/a b/é?q=<x>';
    const res = await request(app).get(`/go?status=303&to=${encodeURIComponent(to)}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('https://www.example.org/a%20b/%C3%A9?q=%3Cx%3E');
  });
});
