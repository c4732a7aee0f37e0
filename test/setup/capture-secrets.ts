import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { describeLeaks } from './secrets-scanner';
import { SecretsCapture } from './secrets-capture';

/**
 * Runs in every test file (jest.config.js `setupFilesAfterEnv`): with the library's debug output
 * on, captures everything the file's code says and answers (see SecretsCapture), and fails the
 * file if the API password, the API secret key, a Web Services password or SessionId, or an issued
 * token or nonce appears anywhere but the one place each must go. The failure names the kind of
 * secret and where it appeared, never the secret.
 *
 * The check runs when the whole file is done (test/setup/secrets-environment.js), after the file's
 * own afterAll hooks; without that environment it falls back to an afterAll of its own.
 */
const FINISH = Symbol.for('luminate-sso-bridge.test.secrets-finish');
const UNDER_ENVIRONMENT = Symbol.for('luminate-sso-bridge.test.secrets-environment');

const capture = new SecretsCapture({ currentTest: () => expect.getState().currentTestName }).start();

/** SECRETS_CAPTURE_REPORT=<file>: append one JSON line per test file (what was captured and checked). */
function report(leaks: number, scanMs: number): void {
  const file = process.env.SECRETS_CAPTURE_REPORT;
  if (!file) return;
  const count = <T extends string>(values: T[]): Record<string, number> =>
    values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});
  const line = {
    file: expect.getState().testPath,
    records: count(capture.records.map((r) => r.channel)),
    secrets: count(capture.knownSecrets().map((s) => s.kind)),
    leaks,
    scanMs: Math.round(scanMs * 10) / 10,
  };
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}

function finish(): Error | undefined {
  capture.stop();
  const started = performance.now();
  const leaks = capture.leaks();
  report(leaks.length, performance.now() - started);
  return leaks.length === 0 ? undefined : new Error(describeLeaks(leaks));
}

const scope = globalThis as unknown as Record<symbol, unknown>;
if (scope[UNDER_ENVIRONMENT] === true) {
  scope[FINISH] = finish;
} else {
  afterAll(() => {
    const problem = finish();
    if (problem) throw problem;
  });
}
