import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import express from 'express';
import { LuminateClient } from '../../src/luminate/luminate-client';
import { debugFor } from '../../src/debug';
import { LuminateError } from '../../src/errors';
import { createFakeLuminate } from '../../src/testing';
import { SecretsCapture } from '../setup/secrets-capture';
import type { Leak } from '../setup/secrets-scanner';
import { useFakeLuminate } from '../helpers/fake-luminate';

/**
 * The capture really catches a leak through each channel. Each test runs its own capture with a
 * secret only it knows (the file-wide capture of test/setup does not know it, so these deliberate
 * leaks do not fail this file).
 */
const LEAKED = 'Deliberately-Leaked-Password-7731';

let capture: SecretsCapture;
beforeEach(() => {
  capture = new SecretsCapture().start();
  capture.addSecret('API password', LEAKED);
});
afterEach(() => capture.stop());

function channels(leaks: Leak[]): string[] {
  return leaks.map((l) => `${l.kind} in ${l.channel}`);
}

async function listen(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('SecretsCapture catches a deliberate leak through', () => {
  it("console (jest's buffering console, as in a worker)", () => {
    // A console of jest's own kind whose buffer is then dropped: the line is captured, not printed.
    const { BufferedConsole } = require('@jest/console') as typeof import('@jest/console');
    const real = globalThis.console;
    globalThis.console = new BufferedConsole();
    const inner = new SecretsCapture().start();
    inner.addSecret('API password', LEAKED);
    try {
      console.info('logging in with %s', LEAKED);
    } finally {
      inner.stop();
      globalThis.console = real;
    }
    expect(inner.leaks()).toEqual([
      { kind: 'API password', channel: 'console', where: expect.stringMatching(/^console\.info at .*secrets-capture\.test\.ts:\d+/) },
    ]);
  });

  it("the library's debug output (enabled by the capture)", () => {
    debugFor('reliability-test')('password %o', LEAKED);
    expect(capture.leaks()).toEqual([{ kind: 'API password', channel: 'debug', where: 'luminate-sso-bridge:reliability-test' }]);
  });

  it('process.stderr', () => {
    const quiet = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const inner = new SecretsCapture().start();
    inner.addSecret('API password', LEAKED);
    try {
      process.stderr.write(`password=${encodeURIComponent(LEAKED)}\n`);
    } finally {
      inner.stop();
      quiet.mockRestore();
    }
    expect(channels(inner.leaks())).toEqual(['API password in stderr']);
  });

  it('an error message (every LuminateError created) and an error given to an Express error handler', async () => {
    void new LuminateError('LUMINATE_AUTH_FAILED', `refused for ${LEAKED}`);
    const app = express();
    app.get('/', () => {
      throw new TypeError(`bad config ${LEAKED}`);
    });
    app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).send('Something went wrong');
    });
    const server = await listen(app);
    try {
      expect((await fetch(server.url)).status).toBe(500);
    } finally {
      await server.close();
    }
    expect(capture.leaks().map((l) => `${l.channel}: ${l.where}`)).toEqual([
      'error message: LuminateError LUMINATE_AUTH_FAILED',
      'error message: Express error handler',
    ]);
  });

  it('a response header and a response body', async () => {
    const server = await listen((_req, res) => {
      res.setHeader('x-debug-login', LEAKED);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ password: LEAKED }));
    });
    try {
      await (await fetch(`${server.url}/status?x=1`)).text();
    } finally {
      await server.close();
    }
    expect(capture.leaks()).toEqual([
      { kind: 'API password', channel: 'response header', where: 'GET /status?x=1', },
      { kind: 'API password', channel: 'response body', where: 'GET /status?x=1' },
    ]);
  });

  it('a body written in chunks, and headers given only to writeHead', async () => {
    const server = await listen((_req, res) => {
      res.writeHead(302, { location: `/next?p=${encodeURIComponent(LEAKED)}` });
      res.write('<p>');
      res.end(Buffer.from(`${LEAKED}</p>`));
    });
    try {
      await fetch(server.url, { redirect: 'manual' });
    } finally {
      await server.close();
    }
    expect(channels(capture.leaks())).toEqual(['API password in response header', 'API password in response body']);
  });
});

describe('SecretsCapture learns the secrets and leaves Luminate out', () => {
  const fake = useFakeLuminate({ apiLogin: { name: 'apiadmin', password: 'Fake-Admin-Password-1' }, apiSecretKey: 'Fake-Secret-Key-1' });

  it("learns a stand-in created while it runs: its password, secret key and each token and nonce it issues, also across reset()", async () => {
    const local = new SecretsCapture().start();
    const other = await createFakeLuminate({ apiLogin: { name: 'apiadmin', password: 'Other-Admin-Password-2' } });
    const client = new LuminateClient({ secureUrl: other.secureUrl, apiKey: other.apiKey, apiLogin: other.apiLogin, timeoutMs: 2000 });
    try {
      const first = await client.getSingleSignOnToken({ consId: '1001641' });
      other.reset();
      const second = await client.getSingleSignOnToken({ consId: '1001641' });
      const known = local.knownSecrets();
      const kinds = (value: string | undefined) => known.filter((s) => s.value === value).map((s) => s.kind);
      expect(kinds('Other-Admin-Password-2')).toEqual(['API password']);
      expect(kinds(other.apiSecretKey)).toEqual(['API secret key']);
      expect(kinds(other.webServicesLogin.password)).toEqual(['Web Services password']);
      for (const t of [first, second]) {
        expect(kinds(t.token)).toEqual(['SSO token']);
        expect(kinds(t.nonce)).toEqual(['SSO nonce']);
      }
      // the stand-in's own answers carried the tokens: they are Luminate's side, not captured
      expect(local.records.filter((r) => r.channel === 'response')).toEqual([]);
    } finally {
      local.stop();
      await client.close();
      await other.close();
    }
  });

  it('learns the password the client sends, even a wrong one the stand-in refuses', async () => {
    const client = new LuminateClient({ secureUrl: fake.secureUrl, apiKey: fake.apiKey, apiLogin: { name: 'apiadmin', password: 'Wrong-Password-Sent-3' }, timeoutMs: 2000 });
    try {
      await expect(client.getSingleSignOnToken({ consId: '1001641' })).rejects.toMatchObject({ code: 'LUMINATE_AUTH_FAILED' });
    } finally {
      await client.close();
    }
    expect(capture.knownSecrets()).toContainEqual({ kind: 'API password', value: 'Wrong-Password-Sent-3' });
  });

  it("leaves out answers to the library's own client (a hand-written Luminate echoing the password)", async () => {
    const password = 'Echoed-Password-Sent-4';
    const echo = await listen((_req, res) => {
      res.writeHead(403, { 'content-type': 'text/xml' });
      res.end(`<errorResponse><code>3</code><message>bad login ${password}</message></errorResponse>`);
    });
    const client = new LuminateClient({ secureUrl: `${echo.url}/org`, apiKey: 'k', apiLogin: { name: 'apiadmin', password }, timeoutMs: 2000 });
    try {
      await expect(client.getSingleSignOnToken({ consId: '1' })).rejects.toMatchObject({ code: 'LUMINATE_AUTH_FAILED' });
    } finally {
      await client.close();
      await echo.close();
    }
    expect(capture.knownSecrets()).toContainEqual({ kind: 'API password', value: password });
    expect(capture.records.filter((r) => r.channel === 'response')).toEqual([]);
    expect(capture.leaks()).toEqual([]); // and the client scrubbed the echo from its error
  });
});

describe('the suite-wide check (test/setup)', () => {
  it("fails a test file whose own afterAll leaks a stand-in's password, naming the kind but not the value", async () => {
    const root = path.join(__dirname, '..', '..');
    const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
    delete env.SECRETS_CAPTURE_REPORT;
    const jest = require.resolve('jest/bin/jest');
    const run = await promisify(execFile)(process.execPath, [jest, '--runInBand', '--testMatch', '**/fixtures/leak-after-all.fixture.ts', '--coverage=false'], {
      cwd: root, env, timeout: 90_000,
    }).then(
      () => ({ failed: false, output: '' }),
      (err: { stdout: string; stderr: string }) => ({ failed: true, output: `${err.stdout}${err.stderr}` }),
    );
    expect(run.failed).toBe(true);
    expect(run.output).toContain('API password in debug (luminate-sso-bridge:fixture)');
    expect(run.output).toContain('Tests:       1 passed, 1 total'); // the test itself passed; the file failed
    expect(run.output).not.toContain('Fixture-Admin-Password-9');
  }, 90_000);
});
