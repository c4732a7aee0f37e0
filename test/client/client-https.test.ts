import { clientFor, makeSelfSignedCert, rejection, send, startServer, TOKEN, xmlToken, type TestServer } from './helpers';

let server: TestServer;
let cert: Buffer;

beforeAll(async () => {
  const pair = makeSelfSignedCert();
  cert = pair.cert;
  server = await startServer((_req, res) => send(res, 200, xmlToken(`<token>${TOKEN}</token><cons_id>42</cons_id>`)), pair);
});
afterAll(() => server.close());

describe('LuminateClient over HTTPS', () => {
  it('trusts a certificate given in tls.ca', async () => {
    const client = clientFor(server.secureUrl, { tls: { ca: cert } });
    try {
      await expect(client.getSingleSignOnToken({ consId: '42' })).resolves.toEqual({ token: TOKEN, consId: '42' });
    } finally {
      await client.close();
    }
  });

  it('checks the host name against tls.servername', async () => {
    const client = clientFor(`https://localhost:${server.port}/testorg`, { tls: { ca: [cert], servername: 'localhost' } });
    try {
      await expect(client.getSingleSignOnToken({ consId: '42' })).resolves.toMatchObject({ consId: '42' });
    } finally {
      await client.close();
    }
  });

  it('fails with a typed error, and without retrying, when the certificate is not trusted', async () => {
    const before = server.connectionCount();
    const requestsBefore = server.requests.length;
    const client = clientFor(server.secureUrl);
    try {
      const err = await rejection(client.getSingleSignOnToken({ consId: '42' }));
      expect(err.code).toBe('LUMINATE_NETWORK_ERROR');
      expect(err.message).toMatch(/TLS .* failed \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)/);
      expect(err.cause).toBeDefined();
    } finally {
      await client.close();
    }
    // The handshake failed, so no request reached the server (and none was retried).
    expect(server.requests).toHaveLength(requestsBefore);
    expect(server.connectionCount()).toBe(before);
  });
});
