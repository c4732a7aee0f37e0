import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { envFor } from './helpers';

const ROOT = join(__dirname, '..', '..');
const REGISTER = join(ROOT, 'test', 'fake-luminate', 'fixtures', 'register-ts.js');
const CLI = join(ROOT, 'src', 'doctor', 'cli.ts');
const FAKE_CLI = join(ROOT, 'src', 'testing', 'fake-luminate-cli.ts');

interface ChildResult { code: number | null; stdout: string; stderr: string; timedOut: boolean }

/** Runs the CLI as an operator would, with only the given environment (and PATH), with a deadline. */
function cli(args: string[], env: Record<string, string | undefined>, deadlineMs = 15_000, script = CLI): Promise<ChildResult> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
    const child = spawn(process.execPath, ['-r', REGISTER, script, ...args], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', ...clean },
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, deadlineMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

const fake = useFakeLuminate();

describe('the luminate-sso-bridge command', () => {
  it('doctor exits 0 when every check passes', async () => {
    const r = await cli(['doctor', '--cons-id', '0012345'], envFor(fake));
    expect(r.timedOut).toBe(false);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/PASS {2}Token for cons_id 0012345: token received \(\d+ chars\)/);
    expect(r.stdout).toContain('all checks passed');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(fake.apiLogin.password);
    expect(r.stdout).not.toContain(fake.webServicesLogin.password);
  });

  it('doctor exits 1 when a check fails', async () => {
    const r = await cli(['doctor', '--json'], envFor(fake, { LUMINATE_API_KEY: 'wrong' }));
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { ok: boolean }).ok).toBe(false);
  });

  it.each<[string[], number, RegExp]>([
    [[], 2, /Usage: luminate-sso-bridge doctor/],
    [['--help'], 0, /Usage: luminate-sso-bridge doctor/],
    [['fix-everything'], 2, /unknown command "fix-everything"/],
    [['doctor', '--nope'], 2, /Unknown option '--nope'/],
  ])('%j exits %d', async (args, code, text) => {
    const r = await cli(args, {});
    expect(r.code).toBe(code);
    expect(r.stdout + r.stderr).toMatch(text);
  });

  it('doctor --help lists its four checks and every flag, and exits 0', async () => {
    const r = await cli(['doctor', '--help'], {});
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const check of ['1. Settings', '2. The site', '3. A test token', '4. The Web Services login']) expect(r.stdout).toContain(check);
    for (const flag of ['--cons-id ID', '--member-id ID', '--timeout-ms N', '--json', '-h, --help']) expect(r.stdout).toMatch(new RegExp(`^  ${flag} `, 'm'));
    for (const variable of ['LUMINATE_SECURE_URL', 'LUMINATE_API_KEY', 'LUMINATE_API_LOGIN_NAME', 'LUMINATE_API_SECRET_KEY', 'LUMINATE_WS_URL']) {
      expect(r.stdout).toContain(variable);
    }
    // The command's own help points to it.
    expect((await cli(['--help'], {})).stdout).toContain('luminate-sso-bridge doctor --help   (its checks and flags)');
  });
});

describe('the luminate-sso-bridge-fake command', () => {
  it('--help lists its flags and the LUMINATE_* variables for the flags given, and those variables work', async () => {
    const r = await cli(['--help', '--port', String(fake.port)], {}, 15_000, FAKE_CLI);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Usage: luminate-sso-bridge-fake /);
    for (const flag of ['--port N', '--host HOST', '--org-path PATH', '--sha1', '--no-nonces', '-h, --help']) expect(r.stdout).toMatch(new RegExp(`^  ${flag} `, 'm'));
    const variables = Object.fromEntries([...r.stdout.matchAll(/^ {2}(LUMINATE_[A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    expect(variables).toEqual(envFor(fake, { LUMINATE_SIGNATURE_ALGORITHM: 'md5' }));
    // Pasted into the environment, they point the doctor at a stand-in started with those flags.
    const checked = await cli(['doctor', '--cons-id', '1001641'], variables);
    expect(checked.stdout).toContain('all checks passed');
    expect(checked.code).toBe(0);

    const sha1 = await cli(['-h', '--sha1', '--org-path', '/other', '--port', '4321'], {}, 15_000, FAKE_CLI);
    expect(sha1.stdout).toMatch(/^ {2}LUMINATE_SECURE_URL=http:\/\/127\.0\.0\.1:4321\/other$/m);
    expect(sha1.stdout).toMatch(/^ {2}LUMINATE_SIGNATURE_ALGORITHM=sha1$/m);
  });

  it('an unknown flag exits 2 with the usage', async () => {
    const r = await cli(['--bogus'], {}, 15_000, FAKE_CLI);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Unknown option '--bogus'");
    expect(r.stderr).toContain('Usage: luminate-sso-bridge-fake');
  });
});
