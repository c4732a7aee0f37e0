import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { doctor, envFor } from './helpers';

/** Issue 16 §4: what the doctor tells an operator about wrong Web Services paths, error 1, and shared API users. */

const fake = useFakeLuminate({
  apiKey: 'doctor-key-2',
  apiLogin: { name: 'apiadmin', password: 'Ops-Admin-Pw-123' },
  webServices: { userName: 'wsadmin', password: 'Ops-Ws-Pw-456' },
});
const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** A loopback upstream answering every request with `answer`. */
async function upstream(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const running = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  servers.push(running); // closed after each test
  return running;
}

/** A loopback site whose server API answers every call with this errorResponse (HTTP 403). */
function errorSite(code: number, message: string) {
  return upstream((_req, res) => {
    res.writeHead(403, { 'content-type': 'text/xml' });
    res.end(`<errorResponse xmlns="http://convio.com/crm/v1.0"><code>${code}</code><message>${message}</message></errorResponse>`);
  });
}

describe('a Web Services URL that Luminate cannot resolve', () => {
  it.each([
    ['Failed to resolve site: wrongorg', '/1.0/wrongorg'],
    ['expecting: /{public API version}/{site name}', '/wrongorg'],
  ])('shows the reason phrase "%s" and the /1.0/<org> path hint', async (reason, path) => {
    // Seen in the field: the reason is in the HTTP status line; the body is an HTML page.
    const ws = await upstream((_req, res) => {
      res.writeHead(404, reason, { 'content-type': 'text/html' });
      res.end('<html><body><h1>Error</h1></body></html>');
    });
    const run = await doctor(envFor(fake, { LUMINATE_WS_URL: `${ws.url}${path}` }));
    expect(run.code).toBe(1);
    const line = run.line('Web Services login');
    expect(line).toContain(`HTTP 404 "${reason}"`);
    expect(line).toMatch(/— fix: .*\/1\.0\/<your org>, e\.g\. https:\/\/webservices\.cluster2\.convio\.net\/1\.0\/myorg/);
    expect(line).not.toContain('check the path (/myorg)');
  });

  it('leaves the usual reason phrase out ("Not Found" says nothing new)', async () => {
    const ws = await upstream((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html></html>');
    });
    const run = await doctor(envFor(fake, { LUMINATE_WS_URL: `${ws.url}/1.0/x` }));
    expect(run.line('Web Services login')).toMatch(/HTTP 404 without a SOAP envelope/);
  });
});

describe('a secure URL answered by a reason-phrase 404', () => {
  it('the Reach check shows the reason phrase too', async () => {
    const site = await upstream((_req, res) => {
      res.writeHead(404, 'Failed to resolve site: wrongorg', { 'content-type': 'text/html' });
      res.end('<html></html>');
    });
    const run = await doctor(envFor(fake, { LUMINATE_SECURE_URL: `${site.url}/wrongorg` }));
    expect(run.line('Reach ')).toMatch(/^FAIL .*Luminate answered HTTP 404 "Failed to resolve site: wrongorg" without an API error.*check the path \(\/myorg\) in LUMINATE_SECURE_URL/);
  });
});

describe('error 1 on the token check', () => {
  it('names its known causes: secure host, org path, custom domain', async () => {
    // Seen in the field: a wrong secure host or org path answers error 1 to every call, so the
    // access checks pass (a call without an id gets error 1 anyway) and the token check fails.
    const site = await errorSite(1, 'Unable to process request.');
    const run = await doctor(envFor(fake, { LUMINATE_SECURE_URL: `${site.url}/wrongorg` }), ['--cons-id', '0012345']);
    expect(run.code).toBe(1);
    const line = run.line('Token for cons_id 0012345');
    expect(line).toMatch(/^FAIL .*Luminate error 1: Unable to process request\./);
    expect(line).toMatch(/secure2\.convio\.net or secure3\.convio\.net/);
    expect(line).toContain('org path');
    expect(line).toContain('custom domain');
    expect(line).not.toContain('see "Error codes"');
  });
});

describe('error 4 names the IP Luminate saw', () => {
  it('the white-list fix carries the address from Luminate\'s message', async () => {
    // Seen in the field: "… from this IP address: 198.51.100.23".
    const site = await errorSite(4, 'Request not allowed from this IP address: 198.51.100.23');
    const run = await doctor(envFor(fake, { LUMINATE_SECURE_URL: `${site.url}/myorg` }));
    expect(run.line('Server IP')).toMatch(/^FAIL .*— fix: add 198\.51\.100\.23 \(the address Luminate saw.*Remote IP address white list$/);
  });
});

describe('one account for the Web Services and the API login', () => {
  it('warns, without failing the run', async () => {
    const run = await doctor(envFor(fake, { LUMINATE_WS_USERNAME: 'APIadmin', LUMINATE_WS_PASSWORD: 'Ops-Admin-Pw-123' }));
    const line = run.line('Separate API users');
    expect(line).toMatch(/^WARN  Separate API users: LUMINATE_WS_USERNAME and LUMINATE_API_LOGIN_NAME are the same account \(apiadmin\) — fix: create a second API administrator/);
    expect(run.out).toMatch(/, 1 warning: /);
    expect(run.out).not.toContain('Ops-Admin-Pw-123');
  });

  it('says nothing when they differ', async () => {
    const run = await doctor(envFor(fake));
    expect(run.code).toBe(0);
    expect(run.out).not.toContain('Separate API users');
    expect(run.out).not.toContain('warning');
  });

  it('--json counts the warning and keeps exit code 0', async () => {
    const run = await doctor(envFor(fake, { LUMINATE_WS_USERNAME: 'apiadmin' }), ['--json']);
    const report = JSON.parse(run.out) as { summary: Record<string, number>; checks: Array<{ id: string; status: string }> };
    expect(report.summary.warn).toBe(1);
    expect(report.checks.find((c) => c.id === 'ws-same-user')).toMatchObject({ status: 'WARN' });
  });
});
