/**
 * The bridge is one middleware function, not an express.Router: its two routes must match exactly
 * the paths Express's own router would match for `router.get(path)` (CI runs this under Express 4
 * as well as 5). Each path is asked of both, through real apps.
 */
import express from 'express';
import request from 'supertest';
import { routeMatcher } from '../../src/sso/routes';
import { createFakeLuminate, type FakeLuminate } from '../../src/testing';
import { startHostApp, type HostApp } from '../helpers/host-app';

const EXPRESS_MAJOR = Number((require('express/package.json') as { version: string }).version.split('.')[0]);

const CONFIGS = [
  { start: '/luminate/sso', callback: '/luminate/callback' },
  { start: '/give.now/start~1', callback: '/give.now/back-2' },
  { start: '/', callback: '/cb' },
];

const PATHS = [
  '/', '//', '/luminate/sso', '/luminate/sso/', '/luminate/sso//', '/LUMINATE/SSO', '/Luminate/Sso/', '/luminate/ssox',
  '/luminate/sso/x', '/luminate/sso.', '/luminate/sso%2F', '/luminate/s%73o', '/luminate//sso', '//luminate/sso',
  '/luminate/callback', '/luminate/callback/', '/luminate/CALLBACK', '/luminate/callbackx', '/luminate', '/luminate/',
  '/give.now/start~1', '/give.now/start~1/', '/GIVE.NOW/START~1', '/giveXnow/start~1', '/give.now/start~1x', '/give.now/back-2',
  '/give.now/back-2/', '/give.now/back_2', '/cb', '/cb/', '/CB', '/cbx', '/x/cb', '/luminate/sso;x', '/luminate/sso%20',
];

function expressRouterApp(paths: { start: string; callback: string }): express.Express {
  const app = express();
  const router = express.Router();
  router.get(paths.start, (_req, res) => { res.type('text').send('start'); });
  router.get(paths.callback, (_req, res) => { res.type('text').send('callback'); });
  app.use(router);
  app.use((_req, res) => { res.type('text').send('none'); });
  return app;
}

describe('routeMatcher: the paths Express would route', () => {
  it.each(CONFIGS)('agrees with express.Router for %j', async (paths) => {
    const app = expressRouterApp(paths);
    const ours = routeMatcher(paths);
    // Express 5 routes `//` to a route at `/`, Express 4 does not; the bridge keeps the stricter.
    const expected5Only = EXPRESS_MAJOR >= 5 && paths.start === '/' ? ['//: express start, bridge none'] : [];
    const disagreements: string[] = [];
    for (const path of PATHS) {
      const res = await request(app).get(path);
      const theirs = res.text;
      const mine = ours(path) ?? 'none';
      if (theirs !== mine) disagreements.push(`${path}: express ${theirs}, bridge ${mine}`);
    }
    expect(disagreements).toEqual(expected5Only);
  });
});

describe('luminateSso() mounted under a path', () => {
  let fake: FakeLuminate;
  let host: HostApp;
  beforeAll(async () => {
    fake = await createFakeLuminate();
    host = await startHostApp(fake, {}, '/give');
  });
  afterAll(async () => {
    await host.close();
    await fake.close();
  });

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
