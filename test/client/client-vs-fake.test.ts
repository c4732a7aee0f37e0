import { LuminateClient } from '../../src/luminate/luminate-client';
import type { LuminateClientOptions, ResponseFormat } from '../../src/luminate/types';
import { createFakeLuminate, DEMO_CONSTITUENTS, type FakeLuminate, type FakeLuminateOptions } from '../../src/testing';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { rejection } from './helpers';

const TOKEN_ROOT = 'getSingleSignOnTokenResponse';
const fake = useFakeLuminate({
  constituents: [
    ...DEMO_CONSTITUENTS,
    { consId: '2000001', memberId: 'M-TWIN' },
    { consId: '2000002', memberId: 'M-TWIN' },
  ],
});

function clientOf(site: FakeLuminate, options: Partial<LuminateClientOptions> = {}): LuminateClient {
  return new LuminateClient({
    secureUrl: site.secureUrl,
    apiKey: site.apiKey,
    apiLogin: site.apiLogin,
    timeoutMs: 3000,
    ...options,
  });
}

async function withClient<T>(options: Partial<LuminateClientOptions>, use: (client: LuminateClient) => Promise<T>, site = fake): Promise<T> {
  const client = clientOf(site, options);
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

async function withSite<T>(options: FakeLuminateOptions, use: (site: FakeLuminate) => Promise<T>): Promise<T> {
  const site = await createFakeLuminate(options);
  try {
    return await use(site);
  } finally {
    await site.close();
  }
}

describe.each<ResponseFormat>(['xml', 'json'])('LuminateClient against the stand-in (%s)', (responseFormat) => {
  it('gets a token, nonce, routing id and session id for a cons_id', async () => {
    const result = await withClient({ responseFormat }, (c) => c.getSingleSignOnToken({ consId: '1001641' }));
    const issued = fake.issuedTokens.at(-1);
    expect(result).toEqual({
      token: issued?.token, consId: '1001641', nonce: issued?.nonce, routingId: issued?.routingId, jsessionId: expect.any(String),
    });
    const [request] = fake.requests;
    expect(request).toMatchObject({ method: 'POST', query: '', apiMethod: 'getSingleSignOnToken' });
    expect(request?.body).toMatchObject({ v: '1.0', response_format: responseFormat, cons_id: '1001641' });
    expect(request?.headers.cookie).toBeUndefined();
  });

  it('keeps a leading-zero cons_id and finds by member_id', async () => {
    await withClient({ responseFormat }, async (c) => {
      await expect(c.getSingleSignOnToken({ consId: '0012345' })).resolves.toMatchObject({ consId: '0012345' });
      await expect(c.getSingleSignOnToken({ memberId: 'M-1001' })).resolves.toMatchObject({ consId: '1001641' });
    });
  });

  it('leaves nonce and routing fields out for an old site (issueNonces: false)', async () => {
    await withSite({ issueNonces: false }, async (site) => {
      const result = await withClient({ responseFormat }, (c) => c.getSingleSignOnToken({ consId: '1001641' }), site);
      expect(Object.keys(result).sort()).toEqual(['consId', 'token']);
    });
  });

  describe.each([false, true])('errorResponse codes (suppressResponseCodes: %s)', (suppressResponseCodes) => {
    const status = suppressResponseCodes ? 200 : 403;
    const expectCode = async (options: Partial<LuminateClientOptions>, call: (c: LuminateClient) => Promise<unknown>, code: string, luminateCode: number) => {
      const err = await withClient({ responseFormat, suppressResponseCodes, ...options }, (c) => rejection(call(c)));
      expect(err).toMatchObject({ code, luminateCode, upstreamStatus: status, status: 502 });
    };

    it('2: wrong API key', () => expectCode({ apiKey: 'wrong-key' }, (c) => c.getSingleSignOnToken({ consId: '1001641' }), 'LUMINATE_API_KEY_INVALID', 2));
    it('3: wrong API login', () =>
      expectCode({ apiLogin: { name: 'apiadmin', password: 'not-the-password' } }, (c) => c.getSingleSignOnToken({ consId: '1001641' }), 'LUMINATE_AUTH_FAILED', 3));
    it('1: no id given', () => expectCode({}, (c) => c.callServerApi('getSingleSignOnToken', {}, TOKEN_ROOT), 'LUMINATE_REQUEST_FAILED', 1));
    it('8: member_id matching two records', () => expectCode({}, (c) => c.getSingleSignOnToken({ memberId: 'M-TWIN' }), 'LUMINATE_AMBIGUOUS_MEMBER_ID', 8));
    it('16: unknown constituent', () => expectCode({}, (c) => c.getSingleSignOnToken({ consId: '999999' }), 'LUMINATE_CONSTITUENT_NOT_FOUND', 16));
    it('6: unknown method', () => expectCode({}, (c) => c.callServerApi('noSuchMethod', {}, 'x'), 'LUMINATE_INVALID_METHOD', 6));

    it('4: caller IP not on the white list', async () => {
      await withSite({ allowedIps: ['10.9.8.7'] }, async (site) => {
        const err = await withClient({ responseFormat, suppressResponseCodes }, (c) => rejection(c.getSingleSignOnToken({ consId: '1001641' })), site);
        expect(err).toMatchObject({ code: 'LUMINATE_IP_NOT_ALLOWED', luminateCode: 4, upstreamStatus: status });
      });
    });
  });

  describe('fault switches', () => {
    const fail = (options: Partial<LuminateClientOptions> = {}) =>
      withClient({ responseFormat, ...options }, (c) => rejection(c.getSingleSignOnToken({ consId: '1001641' })));

    it('latency under the deadline still succeeds', async () => {
      fake.faults.latencyMs = 100;
      await expect(withClient({ responseFormat }, (c) => c.getSingleSignOnToken({ consId: '1001641' }))).resolves.toMatchObject({ consId: '1001641' });
    });

    it('latency over the deadline is a timeout', async () => {
      fake.faults.latencyMs = 3000;
      const started = Date.now();
      expect((await fail({ timeoutMs: 400 })).code).toBe('LUMINATE_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(400 + 1500);
    });

    it.each([500, 503])('status %d is an HTTP error', async (code) => {
      fake.faults.status = code;
      expect(await fail()).toMatchObject({ code: 'LUMINATE_HTTP_ERROR', upstreamStatus: code, status: 502 });
    });

    it('a maintenance page is unexpected', async () => {
      fake.faults.maintenancePage = true;
      expect((await fail()).code).toBe('LUMINATE_UNEXPECTED_RESPONSE');
    });

    it('a truncated body is malformed', async () => {
      fake.faults.malformedBody = true;
      expect((await fail()).code).toBe('LUMINATE_MALFORMED_RESPONSE');
    });

    it('a reset is reported and not retried', async () => {
      fake.faults.reset = true;
      expect((await fail()).code).toBe('LUMINATE_CONNECTION_RESET');
      expect(fake.requests).toHaveLength(1);
    });

    it('a never-ending body ends at the deadline', async () => {
      fake.faults.neverEndingBody = true;
      const started = Date.now();
      expect((await fail({ timeoutMs: 500, bodyTimeoutMs: 30000 })).code).toBe('LUMINATE_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(500 + 1500);
    });

    it('an oversized body is refused', async () => {
      fake.faults.oversizedBodyBytes = 200_000;
      expect((await fail()).code).toBe('LUMINATE_RESPONSE_TOO_LARGE');
    });

    it('faults limited by times clear themselves', async () => {
      fake.faults.status = 503;
      fake.faults.times = 1;
      await withClient({ responseFormat }, async (c) => {
        expect((await rejection(c.getSingleSignOnToken({ consId: '1001641' }))).upstreamStatus).toBe(503);
        await expect(c.getSingleSignOnToken({ consId: '1001641' })).resolves.toMatchObject({ consId: '1001641' });
      });
    });
  });
});
