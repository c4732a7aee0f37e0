/**
 * Issue 18 §4: only a visitor opening the link mints a token. Cross-site `<img>` loads, HEAD,
 * fetch and prefetch get a 403 and use up nothing; without Fetch Metadata (old browsers, curl)
 * the request is taken as a navigation, as before.
 */
import request from 'supertest';
import type { FakeLuminate } from '../../src/testing';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { startHostApp, type HostApp } from '../helpers/host-app';

const tokenCalls = (fake: FakeLuminate) => fake.requests.filter((r) => r.apiMethod === 'getSingleSignOnToken').length;
const IMAGE = { 'Sec-Fetch-Dest': 'image', 'Sec-Fetch-Mode': 'no-cors', 'Sec-Fetch-Site': 'cross-site' };
const CLICK = { 'Sec-Fetch-Dest': 'document', 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Site': 'same-origin', 'Sec-Fetch-User': '?1' };

const fake = useFakeLuminate();
let app: HostApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function loggedIn(a: HostApp) {
  const agent = request.agent(a.url);
  await agent.post('/login').type('form').send({ consId: '1001641' }).expect(303);
  return agent;
}

it("nine cross-site <img> loads and a HEAD mint nothing and leave the visitor's throttle alone: their real click is handed over", async () => {
  app = await startHostApp(fake, { throttle: { perVisitor: { limit: 10, windowMs: 60_000 }, perIp: false } });
  const agent = await loggedIn(app);
  for (let i = 0; i < 9; i += 1) {
    const res = await agent.get('/luminate/sso').set(IMAGE);
    expect(res.status).toBe(403);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers.location).toBeUndefined();
  }
  const head = await agent.head('/luminate/sso');
  expect(head.status).toBe(403);
  expect(tokenCalls(fake)).toBe(0);
  expect(app.errors.map((e) => [e.code, e.status])).toEqual(Array(10).fill(['SSO_NOT_NAVIGATION', 403]));

  // Ten real clicks still fit in the visitor's ten a minute.
  for (let i = 0; i < 10; i += 1) expect((await agent.get('/luminate/sso').set(CLICK)).status).toBe(200);
  expect(tokenCalls(fake)).toBe(10);
});

it.each([
  ['fetch()', { 'Sec-Fetch-Dest': 'empty', 'Sec-Fetch-Mode': 'cors', 'Sec-Fetch-Site': 'cross-site' }],
  ['an <iframe>', { 'Sec-Fetch-Dest': 'iframe', 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Site': 'cross-site' }],
  ['a <script>', { 'Sec-Fetch-Dest': 'script', 'Sec-Fetch-Mode': 'no-cors' }],
  ['a speculative prefetch', { ...CLICK, 'Sec-Purpose': 'prefetch' }],
  ['an old-style prefetch', { Purpose: 'prefetch' }],
  ['a speculative prerender (Sec-Purpose: prefetch;prerender)', { ...CLICK, 'Sec-Purpose': 'prefetch;prerender' }],
  ["Firefox's link prefetch (X-Moz: prefetch)", { 'X-Moz': 'prefetch' }],
  ['a link preview (X-Purpose: preview)', { 'X-Purpose': 'preview' }],
  ['a Top Sites preview (Purpose: preview)', { Purpose: 'preview' }],
])('%s mints nothing (403)', async (_what, headers) => {
  app = await startHostApp(fake);
  const agent = await loggedIn(app);
  const res = await agent.get('/luminate/sso').set(headers);
  expect(res.status).toBe(403);
  expect(res.text).toContain('Continue');
  expect(tokenCalls(fake)).toBe(0);
});

it.each([
  ['a cross-site link', { ...CLICK, 'Sec-Fetch-Site': 'cross-site' }],
  ['a browser without Fetch Metadata (or curl)', {}],
  ["Node's fetch (a lone Sec-Fetch-Mode: cors, no browser's Sec-Fetch-Site or -Dest)", { 'Sec-Fetch-Mode': 'cors' }],
])('%s is handed over as before', async (_what, headers) => {
  app = await startHostApp(fake);
  const agent = await loggedIn(app);
  const res = await agent.get('/luminate/sso').set(headers);
  expect(res.status).toBe(200);
  expect(tokenCalls(fake)).toBe(1);
});

it('an anonymous HEAD is answered as its GET would be (to the login page); nothing is minted', async () => {
  app = await startHostApp(fake);
  const res = await request(app.url).head('/luminate/sso').redirects(0);
  expect(res.status).toBe(302);
  expect(tokenCalls(fake)).toBe(0);
});

describe('the SSO_NOT_NAVIGATION message quotes a Sec-Fetch-* value only when it is a plain token', () => {
  it.each([
    ['image', 'Sec-Fetch-Dest: image'],
    ['image\x85\x9b31m', 'Sec-Fetch-Dest: an unexpected value'],
    ['Image', 'Sec-Fetch-Dest: an unexpected value'],
    ['a'.repeat(21), 'Sec-Fetch-Dest: an unexpected value'],
  ])('Sec-Fetch-Dest %j → %s', async (dest, quoted) => {
    app = await startHostApp(fake);
    const agent = await loggedIn(app);
    const res = await agent.get('/luminate/sso').set({ 'Sec-Fetch-Dest': dest, 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Site': 'cross-site' });
    expect(res.status).toBe(403);
    expect(app.errors.map((e) => e.code)).toEqual(['SSO_NOT_NAVIGATION']);
    expect(app.errors[0]?.message).toContain(quoted);
    expect(app.errors[0]?.message).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
  });
});
