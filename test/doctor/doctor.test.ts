import { createFakeLuminate } from '../../src/testing';
import { freePort } from '../client/helpers';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { doctor, envFor, type DoctorRun } from './helpers';

const SECRETS = {
  apiPassword: 'Doctor-Admin-Pw-123',
  apiSecret: 'Doctor-Api-Secret-456',
  wsPassword: 'Doctor-Ws-Pw-789',
};

const fake = useFakeLuminate({
  apiKey: 'doctor-key-1',
  apiLogin: { name: 'apiadmin', password: SECRETS.apiPassword },
  apiSecretKey: SECRETS.apiSecret,
  webServices: { userName: 'wsadmin', password: SECRETS.wsPassword },
});

/** Nothing secret in the output: passwords, the secret key, tokens, nonces, SessionIds. */
function expectNoSecrets(run: DoctorRun): void {
  const text = run.out + run.err;
  for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
  for (const issued of fake.issuedTokens) {
    expect(text).not.toContain(issued.token);
    if (issued.nonce) expect(text).not.toContain(issued.nonce);
  }
  for (const sessionId of fake.webServicesSessions.keys()) expect(text).not.toContain(sessionId);
}

describe('luminate-sso-bridge doctor against the stand-in', () => {
  it('passes everything and exits 0 on a sound set-up', async () => {
    const run = await doctor(envFor(fake), ['--cons-id', '0012345']);
    expect(run.code).toBe(0);
    expect(run.err).toBe('');
    expect(run.line('LUMINATE_SECURE_URL')).toBe(`PASS  LUMINATE_SECURE_URL: ${fake.secureUrl}`);
    expect(run.line('LUMINATE_API_KEY')).toMatch(/^PASS .*set \(12 characters\), no forbidden characters$/);
    expect(run.line('LUMINATE_API_LOGIN_NAME')).toBe('PASS  LUMINATE_API_LOGIN_NAME: apiadmin');
    expect(run.line('LUMINATE_API_LOGIN_PASSWORD')).toBe('PASS  LUMINATE_API_LOGIN_PASSWORD: set');
    expect(run.line('LUMINATE_API_SECRET_KEY')).toMatch(/^PASS /);
    expect(run.line('LUMINATE_SIGNATURE_ALGORITHM')).toMatch(/^PASS .*md5 \(the default\)/);
    expect(run.line('Web Services settings')).toMatch(/^PASS .*as wsadmin, password set$/);
    expect(run.line('Reach ')).toMatch(/^PASS .*SRConsAPI: Luminate answered in \d+ ms$/);
    expect(run.line('API key (error 2)')).toBe('PASS  API key (error 2): accepted');
    expect(run.line('Server IP on the API white list')).toBe('PASS  Server IP on the API white list (error 4): accepted');
    expect(run.line('API administrator login')).toMatch(/^PASS .*error 1 to a call without an id/);
    expect(run.line('Token for cons_id 0012345')).toMatch(/^PASS .*token received \(\d+ chars\) for cons_id 0012345, nonce present: yes$/);
    expect(run.line('Web Services login')).toMatch(/^PASS .*Login accepted for wsadmin; a SessionId came back \(not shown\)$/);
    expect(run.out).toMatch(/\n\n13 passed, 0 failed, 0 skipped: all checks passed\.\n$/);
    expect(fake.issuedTokens).toHaveLength(1);
    expect(fake.webServicesSessions.size).toBe(1);
    expectNoSecrets(run);
  });

  it('asks for a token by member_id, and says when the site sends no nonce', async () => {
    const old = await createFakeLuminate({ issueNonces: false });
    try {
      const run = await doctor(envFor(old), ['--member-id', 'M-0042']);
      expect(run.code).toBe(0);
      expect(run.line('Token for member_id M-0042')).toMatch(/for cons_id 0012345, nonce present: no$/);
    } finally {
      await old.close();
    }
  });

  it('skips the token without an id and Web Services when not configured, and still exits 0', async () => {
    const run = await doctor(envFor(fake, { LUMINATE_WS_URL: undefined, LUMINATE_WS_USERNAME: undefined, LUMINATE_WS_PASSWORD: '' }));
    expect(run.code).toBe(0);
    expect(run.line('Token for a test constituent')).toMatch(/^SKIP .*pass --cons-id ID or --member-id ID/);
    expect(run.line('Web Services settings')).toMatch(/^SKIP .*not set \(optional/);
    expect(run.out).not.toContain('Web Services login');
    expect(fake.issuedTokens).toHaveLength(0);
  });

  it('attributes a wrong API key to error 2, and skips what Luminate did not check', async () => {
    const run = await doctor(envFor(fake, { LUMINATE_API_KEY: 'wrong-key' }), ['--cons-id', '0012345']);
    expect(run.code).toBe(1);
    expect(run.line('API key (error 2)')).toMatch(/^FAIL  API key \(error 2\): Luminate error 2: Incorrect API key\. \(HTTP 403\) — fix: set LUMINATE_API_KEY to the site's CONVIO_API_KEY/);
    expect(run.line('Server IP')).toMatch(/^SKIP .*stops at the API key/);
    expect(run.line('API administrator login')).toMatch(/^SKIP /);
    expect(run.line('Token for cons_id')).toMatch(/^SKIP .*fix the check that failed above first/);
    expect(run.out).toContain('1 check failed');
    expect(fake.issuedTokens).toHaveLength(0);
    expectNoSecrets(run);
  });

  it('attributes a server outside the white list to error 4, printing what Luminate says', async () => {
    const walled = await createFakeLuminate({ allowedIps: ['203.0.113.7'], apiLogin: { name: 'apiadmin', password: SECRETS.apiPassword } });
    try {
      const run = await doctor(envFor(walled), ['--cons-id', '0012345']);
      expect(run.code).toBe(1);
      expect(run.line('API key (error 2)')).toMatch(/^PASS /);
      const line = run.line('Server IP on the API white list');
      expect(line).toMatch(/^FAIL .*Luminate error 4: Request not allowed from this IP address\. \(HTTP 403\)/);
      expect(line).toContain('Remote IP address white list');
      expect(run.line('API administrator login')).toMatch(/^SKIP .*stops at the IP white list/);
      expectNoSecrets(run);
    } finally {
      await walled.close();
    }
  });

  it('attributes a wrong admin password to error 3', async () => {
    const run = await doctor(envFor(fake, { LUMINATE_API_LOGIN_PASSWORD: 'Not-The-Password-1' }), ['--cons-id', '0012345']);
    expect(run.code).toBe(1);
    expect(run.line('API key (error 2)')).toMatch(/^PASS /);
    expect(run.line('Server IP')).toMatch(/^PASS /);
    const line = run.line('API administrator login');
    expect(line).toMatch(/^FAIL .*Luminate error 3: Authorization failed\./);
    expect(line).toContain('"Use Luminate Online APIs"');
    expect(run.out).not.toContain('Not-The-Password-1');
    expectNoSecrets(run);
  });

  it('fails the token check for an unknown cons_id', async () => {
    const run = await doctor(envFor(fake), ['--cons-id', '999999']);
    expect(run.code).toBe(1);
    expect(run.line('API administrator login')).toMatch(/^PASS /);
    expect(run.line('Token for cons_id 999999')).toMatch(/^FAIL .*Luminate error 16: The specified record does not exist\..*— fix: no constituent has that id/);
    expect(run.out).toContain('12 passed, 1 failed, 0 skipped');
  });

  it('fails the token check for a member_id several records share', async () => {
    fake.addConstituent({ consId: '777001', memberId: 'DUP-1' });
    fake.addConstituent({ consId: '777002', memberId: 'DUP-1' });
    const run = await doctor(envFor(fake), ['--member-id', 'DUP-1']);
    expect(run.code).toBe(1);
    expect(run.line('Token for member_id DUP-1')).toMatch(/^FAIL .*error 8.*give --cons-id instead/);
  });

  it('fails the Web Services login on a LoginFault', async () => {
    const run = await doctor(envFor(fake, { LUMINATE_WS_PASSWORD: 'Wrong-Ws-Password-1' }), ['--cons-id', '0012345']);
    expect(run.code).toBe(1);
    expect(run.line('Token for cons_id')).toMatch(/^PASS /);
    const line = run.line('Web Services login');
    expect(line).toMatch(/^FAIL .*LoginFault: Invalid user name or password.*LUMINATE_WS_USERNAME and LUMINATE_WS_PASSWORD/);
    expect(run.out).not.toContain('Wrong-Ws-Password-1');
    expectNoSecrets(run);
  });

  it('fails when Luminate cannot be reached, naming the setting to check', async () => {
    const port = await freePort();
    const run = await doctor(envFor(fake, {
      LUMINATE_SECURE_URL: `http://127.0.0.1:${port}/fakeorg`,
      LUMINATE_WS_URL: `http://127.0.0.1:${port}/1.0/fakeorg`,
    }), ['--timeout-ms', '2000']);
    expect(run.code).toBe(1);
    expect(run.line('Reach ')).toMatch(/^FAIL .*LUMINATE_CONNECTION_REFUSED.*check the host and port in LUMINATE_SECURE_URL/);
    expect(run.line('API key (error 2)')).toMatch(/^SKIP .*not reached/);
    expect(run.line('Web Services login')).toMatch(/^FAIL .*check the host and port in LUMINATE_WS_URL/);
  });

  it('fails on a maintenance page', async () => {
    fake.faults.maintenancePage = true;
    const run = await doctor(envFor(fake));
    expect(run.code).toBe(1);
    expect(run.line('Reach ')).toMatch(/^FAIL .*HTML page.*maintenance, or LUMINATE_SECURE_URL points elsewhere/);
  });

  it('fails on a timeout within --timeout-ms', async () => {
    fake.faults.latencyMs = 2000;
    const started = Date.now();
    const run = await doctor(envFor(fake, { LUMINATE_WS_URL: undefined, LUMINATE_WS_USERNAME: undefined, LUMINATE_WS_PASSWORD: undefined }), ['--timeout-ms', '300']);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(run.code).toBe(1);
    expect(run.line('Reach ')).toMatch(/^FAIL .*LUMINATE_TIMEOUT.*raise --timeout-ms \(now 300\)/);
  });
});

describe('settings checks (no network)', () => {
  const sound = {
    LUMINATE_SECURE_URL: 'https://secure2.convio.net/myorg',
    LUMINATE_API_KEY: 'abc123',
    LUMINATE_API_LOGIN_NAME: 'apiadmin',
    LUMINATE_API_LOGIN_PASSWORD: SECRETS.apiPassword,
    LUMINATE_API_SECRET_KEY: SECRETS.apiSecret,
  };

  it.each<[string, Record<string, string | undefined>, string, RegExp]>([
    ['plain http to a remote host', { LUMINATE_SECURE_URL: 'http://secure2.convio.net/myorg' }, 'LUMINATE_SECURE_URL', /^FAIL .*must use https:\/\/ \(plain http:\/\/ is accepted only for loopback hosts.*— fix: set LUMINATE_SECURE_URL to your site's secure base/],
    ['a servlet URL', { LUMINATE_SECURE_URL: 'https://secure2.convio.net/myorg/site/SRConsAPI' }, 'LUMINATE_SECURE_URL', /^FAIL .*must stop before "\/site\/"/],
    ['a non-URL', { LUMINATE_SECURE_URL: 'secure2.convio.net' }, 'LUMINATE_SECURE_URL', /^FAIL .*is not a URL/],
    ['a key with =', { LUMINATE_API_KEY: 'abc=123' }, 'LUMINATE_API_KEY', /^FAIL .*must not contain any of & : \\ " ' \? = \(Luminate rejects such keys\)/],
    ['a key with &', { LUMINATE_API_KEY: 'a&b' }, 'LUMINATE_API_KEY', /^FAIL .*Luminate rejects such keys/],
    ['a missing key', { LUMINATE_API_KEY: undefined }, 'LUMINATE_API_KEY', /^FAIL  LUMINATE_API_KEY: not set — fix: set LUMINATE_API_KEY to the site's CONVIO_API_KEY/],
    ['a missing login name', { LUMINATE_API_LOGIN_NAME: '' }, 'LUMINATE_API_LOGIN_NAME', /^FAIL .*not set/],
    ['a missing password', { LUMINATE_API_LOGIN_PASSWORD: undefined }, 'LUMINATE_API_LOGIN_PASSWORD', /^FAIL .*not set/],
    ['a padded password', { LUMINATE_API_LOGIN_PASSWORD: `${SECRETS.apiPassword}\n` }, 'LUMINATE_API_LOGIN_PASSWORD', /^FAIL .*leading or trailing whitespace/],
    ['a missing secret key', { LUMINATE_API_SECRET_KEY: undefined }, 'LUMINATE_API_SECRET_KEY', /^FAIL .*not set — fix: .*CONVIO_API_SECRET_KEY/],
    ['an unknown algorithm', { LUMINATE_SIGNATURE_ALGORITHM: 'sha256' }, 'LUMINATE_SIGNATURE_ALGORITHM', /^FAIL .*must be one of 'md5', 'sha1', got "sha256"/],
    ['only some Web Services variables', { LUMINATE_WS_URL: 'https://webservices.cluster2.convio.net/1.0/myorg' }, 'Web Services settings', /^FAIL .*LUMINATE_WS_USERNAME and LUMINATE_WS_PASSWORD not set — fix: set all three/],
    ['an http Web Services URL', { LUMINATE_WS_URL: 'http://webservices.example/1.0/x', LUMINATE_WS_USERNAME: 'a', LUMINATE_WS_PASSWORD: SECRETS.wsPassword }, 'Web Services settings', /^FAIL .*LUMINATE_WS_URL must use https:\/\//],
  ])('fails %s with a plain-language fix, exit 1', async (_n, overrides, label, expected) => {
    const run = await doctor({ ...sound, ...overrides });
    expect(run.code).toBe(1);
    expect(run.line(label)).toMatch(expected);
    expectNoSecrets(run);
  });

  it('does not call the site while a setting it needs is wrong', async () => {
    const run = await doctor({ ...sound, LUMINATE_SECURE_URL: 'http://secure2.convio.net/myorg' });
    expect(run.line('Luminate site checks')).toMatch(/^SKIP .*fix the settings that failed above first/);
    expect(run.out).not.toContain('Reach ');
  });

  it('reports every missing variable at once', async () => {
    const run = await doctor({});
    expect(run.code).toBe(1);
    for (const name of ['LUMINATE_SECURE_URL', 'LUMINATE_API_KEY', 'LUMINATE_API_LOGIN_NAME', 'LUMINATE_API_LOGIN_PASSWORD', 'LUMINATE_API_SECRET_KEY']) {
      expect(run.line(name)).toMatch(new RegExp(`^FAIL  ${name}: not set — fix: set ${name} to `));
    }
    expect(run.line('Web Services settings')).toMatch(/^SKIP /);
    expect(run.out).toContain('1 passed, 5 failed, 2 skipped');
  });

  it('never prints a secret, even one that leaks into a value it shows', async () => {
    // A login name that contains the password (a pasting accident) is shown scrubbed.
    const run = await doctor({ ...sound, LUMINATE_API_LOGIN_NAME: `admin ${SECRETS.apiPassword}`, LUMINATE_SECURE_URL: 'http://x.example/o' });
    expect(run.out).toContain('LUMINATE_API_LOGIN_NAME: admin [redacted]');
    expectNoSecrets(run);
  });
});

describe('output formats and usage', () => {
  it('--json gives the checks, the summary and the exit code', async () => {
    const run = await doctor(envFor(fake, { LUMINATE_API_KEY: 'wrong-key' }), ['--json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.out) as { ok: boolean; exitCode: number; summary: Record<string, number>; checks: Array<{ id: string; status: string; fix?: string }> };
    expect(report.ok).toBe(false);
    expect(report.exitCode).toBe(1);
    expect(report.checks.find((c) => c.id === 'api-key')).toMatchObject({ status: 'FAIL' });
    expect(report.checks.find((c) => c.id === 'api-key')!.fix).toContain('CONVIO_API_KEY');
    expect(report.summary.fail).toBe(1);
    expectNoSecrets(run);
  });

  it.each<[string[], RegExp]>([
    [['--cons-id', '1', '--member-id', '2'], /not both/],
    [['--timeout-ms', 'soon'], /--timeout-ms must be a whole number/],
    [['--timeout-ms', '10'], /from 100 to/],
    [['--cons-id', 'a b'], /--cons-id must be/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['extra'], /Unexpected argument 'extra'/],
  ])('exits 2 with the usage for %j', async (args, expected) => {
    const run = await doctor({}, args);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(expected);
    expect(run.err).toContain('Usage: luminate-sso-bridge doctor');
    expect(run.out).toBe('');
  });

  it('--help prints the usage and exits 0', async () => {
    const run = await doctor({}, ['--help']);
    expect(run.code).toBe(0);
    expect(run.out).toContain('Usage: luminate-sso-bridge doctor [--cons-id ID | --member-id ID] [--timeout-ms N] [--json]');
  });
});
