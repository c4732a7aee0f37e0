import { establishSessionUrls } from '../../src/sso/handoff';
import { formUrlEncode } from '../../src/util/form-urlencoded';

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

describe('formUrlEncode', () => {
  it.each(AWKWARD)('encodes %j as URLSearchParams does', (value) => {
    expect(formUrlEncode(value)).toBe(new URLSearchParams([['', value]]).toString().slice(1));
  });

  it('agrees with URLSearchParams on every single UTF-16 code unit', () => {
    for (let c = 0; c <= 0xffff; c += 1) {
      const value = `a${String.fromCharCode(c)}b`;
      const expected = new URLSearchParams([['', value]]).toString().slice(1);
      if (formUrlEncode(value) !== expected) expect({ c, got: formUrlEncode(value) }).toEqual({ c, got: expected });
    }
  });
});

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
