import type { NextFunction, Request, Response } from 'express';
import request from 'supertest';
import { createFakeLuminate, type FakeLuminate } from '../../src/testing';
import { TestBrowser } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { startHostApp, type HostApp } from '../helpers/host-app';

/**
 * The bridge is an express.Router: its res.locals.luminateLink middleware, then its two GET routes.
 * Every request must see the link, the bridge's own included.
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

describe('luminateSso() mounted under a path', () => {
  const fake = useFakeLuminate();
  let host: HostApp;
  beforeAll(async () => {
    host = await startHostApp(fake, {}, '/give');
  });
  afterAll(() => host.close());

  it.each([
    ['GET', '/give/luminate/sso', 302],
    ['GET', '/give/LUMINATE/Sso/', 302],
    ['HEAD', '/give/luminate/sso', 302],
    ['POST', '/give/luminate/sso', 404],
    ['GET', '/luminate/sso', 404],
    ['GET', '/give/luminate/sso/more', 404],
  ])('%s %s → %d', async (method, path, status) => {
    const res = await request(host.url)[method === 'POST' ? 'post' : method === 'HEAD' ? 'head' : 'get'](path).redirects(0);
    expect(res.status).toBe(status);
    if (status === 302) expect(res.headers.location).toBe(`/login?returnTo=${encodeURIComponent(`/give/luminate/sso`)}`);
  });
});
