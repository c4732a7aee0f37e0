import type { NextFunction, Request, Response } from 'express';
import { createFakeLuminate, type FakeLuminate } from '../../src/testing';
import { TestBrowser } from '../helpers/browser';
import { startHostApp, type HostApp } from '../helpers/host-app';

/**
 * The bridge's routes come before its res.locals.luminateLink middleware (one router layer less
 * per handoff); every request must still see the link, the bridge's own included.
 */
describe('res.locals.luminateLink on every path through the bridge router', () => {
  let fake: FakeLuminate;
  let app: HostApp | undefined;

  beforeEach(async () => {
    fake = await createFakeLuminate();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await fake.close();
  });

  const donate = () => `${fake.secureUrl}/site/Donation2?df_id=7`;
  const expectedLink = () => `/give/luminate/sso?next=${encodeURIComponent(donate())}`;

  it("reaches the host's error page when a handoff fails (onFailure 'error')", async () => {
    const failing = { onFailure: 'error' as const, constituent: () => { throw new Error('session store down'); } };
    app = await startHostApp(fake, failing, '/give', (host) => {
      host.use((err: { code?: string }, _req: Request, res: Response, _next: NextFunction) => {
        res.status(503).type('text').send(`${err.code} ${res.locals.luminateLink(donate())}`);
      });
    });
    const page = await new TestBrowser().fetch('GET', `${app.url}/give/luminate/sso`);
    expect(page.status).toBe(503);
    expect(page.text).toBe(`SSO_CONSTITUENT_HOOK_FAILED ${expectedLink()}`);
  });

  it('reaches a host route on the same path with another method', async () => {
    app = await startHostApp(fake, {}, '/give', (host) => {
      host.post('/give/luminate/sso', (_req, res) => { res.type('text').send(res.locals.luminateLink(donate())); });
    });
    const page = await new TestBrowser().fetch('POST', `${app.url}/give/luminate/sso`);
    expect(page.status).toBe(200);
    expect(page.text).toBe(expectedLink());
  });
});
