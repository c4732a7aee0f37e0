/**
 * Review finding (issue 17 §1, "visitor-caused outcomes stay quiet"): any visitor can make the
 * bridge print a misconfiguration warning that tells the operator to change a working set-up.
 * A forged callback with a fresh `ts` and 32 or 40 hex characters of junk as its signature is
 * refused (right), but the refusal is loud, and its "Fix" is chosen from the junk's length:
 * 40 hex characters on an md5 site says "set signatureAlgorithm to 'sha1'", which would break
 * every real callback. Nothing in the request proves it came from Luminate, so it is a visitor's
 * junk like an unsigned one.
 */
import { useFakeLuminate } from '../helpers/fake-luminate';
import { startHostApp, type HostApp } from '../helpers/host-app';
import { request } from 'undici';

const fake = useFakeLuminate();
let app: HostApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function recorder(): { lines: string[]; warn(m: string): void } {
  const lines: string[] = [];
  return { lines, warn: (m) => lines.push(m) };
}

describe('review: forged callback signatures are a visitor\'s junk, not a misconfiguration', () => {
  test.each([
    ['40 hex characters on an md5 site (would say: switch to sha1)', 40],
    ['32 hex characters on an md5 site (would say: change apiSecretKey)', 32],
  ])('%s: no warning line', async (_label, length) => {
    expect(fake.signatureAlgorithm).toBe('md5');
    const log = recorder();
    app = await startHostApp(fake, { logger: log });
    const ts = Math.floor(Date.now() / 1000);
    const res = await request(`${app.url}/luminate/sso/callback?next=x&hid=h&code=7&ts=${ts}&signature=${'0'.repeat(length)}`);
    await res.body.text();
    expect(res.statusCode).toBe(400);
    expect(log.lines).toEqual([]);
  });
});
