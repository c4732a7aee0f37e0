import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createFakeLuminate, type FakeLuminate } from '../../src/testing';
import { envFor } from './helpers';

const ROOT = join(__dirname, '..', '..');
const REGISTER = join(ROOT, 'test', 'fake-luminate', 'fixtures', 'register-ts.js');
const CLI = join(ROOT, 'src', 'doctor', 'cli.ts');

interface ChildResult { code: number | null; stdout: string; stderr: string; timedOut: boolean }

/** Runs the CLI as an operator would, with only the given environment (and PATH), with a deadline. */
function cli(args: string[], env: Record<string, string | undefined>, deadlineMs = 15_000): Promise<ChildResult> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
    const child = spawn(process.execPath, ['-r', REGISTER, CLI, ...args], {
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

let fake: FakeLuminate;
beforeAll(async () => {
  fake = await createFakeLuminate();
});
afterAll(async () => {
  await fake.close();
});

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
});
