/**
 * The click's own deadline signal: what reaches the client, and what a visitor who leaves stops.
 */
import http from 'node:http';
import express from 'express';
import { luminateSso, LuminateClient, type CallOptions, type ConstituentRef, type SingleSignOnToken } from '../../src';
import { startServer, waitFor, type TestServer } from '../client/helpers';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { startHostApp } from '../helpers/host-app';
import { listenOnLoopback } from '../helpers/listen';

describe('luminateSso: the click signal', () => {
  let upstream: TestServer;
  const upstreamClosed: number[] = [];

  beforeAll(async () => {
    // A Luminate that takes every token request and never answers it.
    upstream = await startServer((_req, res) => {
      res.on('close', () => upstreamClosed.push(Date.now()));
    });
  });
  afterAll(() => upstream.close());

  it('stops the token call when the visitor leaves, long before the deadline', async () => {
    const bridge = luminateSso({
      luminate: { secureUrl: upstream.secureUrl, apiKey: 'k', apiLogin: { name: 'a', password: 'p' }, apiSecretKey: 's', timeoutMs: 10_000 },
      constituent: () => ({ consId: '1001641' }),
      destinations: { default: `${upstream.secureUrl}/site/Donation2?df_id=1` },
      baseUrl: 'https://www.example.org',
      throttle: false,
    });
    const app = express();
    app.use(bridge);
    const listening = await listenOnLoopback(app);
    try {
      const visitor = http.get(`http://127.0.0.1:${listening.port}/luminate/sso`);
      visitor.on('error', () => undefined); // we hang up ourselves
      expect(await waitFor(() => upstream.requests.length === 1, 5000)).toBe(true);
      const left = Date.now();
      visitor.destroy();
      // The bridge aborts its call: undici closes that connection to Luminate.
      expect(await waitFor(() => upstreamClosed.length === 1, 5000)).toBe(true);
      expect(upstreamClosed[0]! - left).toBeLessThan(2000); // not the 10 s deadline
    } finally {
      await bridge.close();
      await listening.close();
    }
  });
});

describe('luminateSso: an injected client', () => {
  const fake = useFakeLuminate();

  it('is handed a real AbortSignal (it may pass it to fetch, which checks)', async () => {
    const seen: unknown[] = [];
    class WatchingClient extends LuminateClient {
      override getSingleSignOnToken(ref: ConstituentRef, options?: CallOptions): Promise<SingleSignOnToken> {
        seen.push(options?.signal);
        return super.getSingleSignOnToken(ref, options);
      }
    }
    const client = new WatchingClient({ secureUrl: fake.secureUrl, apiKey: fake.apiKey, apiLogin: fake.apiLogin });
    const host = await startHostApp(fake, { client, constituent: () => ({ consId: '1001641' }), handoff: 'establishSession' });
    try {
      const res = await fetch(`${host.url}/luminate/sso`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toContain('/site/EstablishSession');
      expect(seen).toHaveLength(1);
      expect(seen[0]).toBeInstanceOf(AbortSignal);
    } finally {
      await host.close();
      await client.close();
    }
  });
});
