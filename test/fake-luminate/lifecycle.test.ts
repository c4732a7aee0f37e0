import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createFakeLuminate, DEMO_CONSTITUENTS, type FakeLuminateOptions } from '../../src/testing';
import { TestClient } from './helpers';

const ROOT = join(__dirname, '..', '..');
const REGISTER = join(__dirname, 'fixtures', 'register-ts.js');

interface ChildResult { code: number | null; signal: string | null; stdout: string; stderr: string; timedOut: boolean }

/** Run node with a deadline; a child still running at the deadline is killed and reported. */
function runNode(args: string[], deadlineMs: number, onStdout?: (text: string, kill: (s: NodeJS.Signals) => void) => void): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, deadlineMs);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout, (s) => child.kill(s));
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

describe('createFakeLuminate options', () => {
  it.each<[string, FakeLuminateOptions, RegExp]>([
    ['a non-loopback host', { host: '0.0.0.0' }, /`host` must be a loopback address/],
    ['a LAN host', { host: '192.168.1.10' }, /`host` must be a loopback address/],
    ['an unknown option', { apiSecret: 'x' } as FakeLuminateOptions, /`apiSecret` is unknown/],
    ['a bad port', { port: 70000 }, /`port` must be an integer/],
    ['an orgPath with a trailing slash', { orgPath: '/org/' }, /`orgPath`/],
    ['an api key with =', { apiKey: 'a=b' }, /`apiKey` must not contain/],
    ['an unknown hash', { signatureAlgorithm: 'sha256' as 'sha1' }, /`signatureAlgorithm`/],
    ['a duplicate cons_id', { constituents: [{ consId: '1' }, { consId: '1' }] }, /cons_id 1 twice/],
    ['a numeric cons_id', { constituents: [{ consId: 12 as unknown as string }] }, /string `consId`/],
    ['a zero TTL', { tokenTtlSeconds: 0 }, /`tokenTtlSeconds`/],
  ])('refuses %s with a TypeError', async (_n, options, message) => {
    const attempt = createFakeLuminate(options);
    await expect(attempt).rejects.toThrow(TypeError);
    await expect(attempt).rejects.toThrow(message);
  });

  it('listens on ::1 and localhost too, and has documented defaults', async () => {
    for (const host of ['::1', 'localhost']) {
      const fake = await createFakeLuminate({ host });
      try {
        expect(fake.url).toBe(host === '::1' ? `http://[::1]:${fake.port}` : `http://localhost:${fake.port}`);
        expect(fake.port).toBeGreaterThan(0);
        expect(fake.apiKey).toBe('fake-api-key');
        expect(fake.apiLogin).toEqual({ name: 'apiadmin', password: 'fake-admin-password' });
        expect(fake.apiSecretKey).toBe('fake-api-secret');
        expect(fake.signatureAlgorithm).toBe('md5');
        expect(fake.constituents.map((c) => c.consId)).toEqual(DEMO_CONSTITUENTS.map((c) => c.consId));
        const c = new TestClient(fake.secureUrl);
        expect((await c.get('/site/Donation2?df_id=1')).status).toBe(200);
        await c.close();
      } finally {
        await fake.close();
      }
    }
  });

  it('keeps DEMO_CONSTITUENTS frozen, with string ids and unique member ids', () => {
    expect(DEMO_CONSTITUENTS).toHaveLength(3);
    expect(DEMO_CONSTITUENTS.map((c) => c.consId)).toContain('0012345');
    expect(new Set(DEMO_CONSTITUENTS.map((c) => c.memberId)).size).toBe(3);
    expect(Object.isFrozen(DEMO_CONSTITUENTS[0])).toBe(true);
  });

  it('close() can be called twice and frees the port', async () => {
    const fake = await createFakeLuminate();
    await Promise.all([fake.close(), fake.close()]);
    const again = await createFakeLuminate({ port: fake.port });
    expect(again.port).toBe(fake.port);
    await again.close();
  });
});

describe('no open handles after close()', () => {
  it('a process whose stand-in had stalled and pending answers exits by itself after close()', async () => {
    const r = await runNode(['-r', REGISTER, join(__dirname, 'fixtures', 'close-child.js')], 15_000);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('closed after 3 requests\n');
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(0);
  });
});

describe('fake-luminate CLI', () => {
  const cli = join(ROOT, 'src', 'testing', 'fake-luminate-cli.ts');

  it('prints the site details and demo constituents, and stops cleanly on SIGTERM', async () => {
    let sent = false;
    let url: string | undefined;
    const r = await runNode(['-r', REGISTER, cli, '--port', '0', '--sha1', '--no-nonces'], 15_000, (out, kill) => {
      const m = /secure URL: +(\S+)/.exec(out);
      if (m && out.includes('Press Ctrl+C') && !sent) {
        sent = true;
        url = m[1];
        fetch(`${url}/site/Donation2?df_id=1`)
          .then((res) => res.text())
          .then((html) => (html.includes('Not logged in (guest)') ? kill('SIGTERM') : kill('SIGKILL')))
          .catch(() => kill('SIGKILL'));
      }
    });
    expect(r.timedOut).toBe(false);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fakeorg$/);
    expect(r.stdout).toContain('API key:         fake-api-key');
    expect(r.stdout).toContain('API login name:  apiadmin');
    expect(r.stdout).toMatch(/API password: +fake-admin-password +\(demo value/);
    expect(r.stdout).toContain('signs redirects with sha1');
    expect(r.stdout).toContain('nonces:          off');
    expect(r.stdout).toContain('cons_id 0012345  member_id M-0042  Grace Hopper <grace@example.org>');
    expect(r.stdout).toContain('SIGTERM: stopping');
  });

  it('exits with code 2 and the usage on a bad port', async () => {
    const r = await runNode(['-r', REGISTER, cli, '--port', 'abc'], 15_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--port must be a number');
    expect(r.stderr).toContain('Usage: luminate-sso-bridge-fake');
  });

  it('exits with code 2 on a non-loopback host', async () => {
    const r = await runNode(['-r', REGISTER, cli, '--port', '0', '--host', '0.0.0.0'], 15_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('must be a loopback address');
  });
});
