import { runDoctor } from '../../src/doctor/run-doctor';
import type { FakeLuminate } from '../../src/testing';

export interface DoctorRun {
  code: number;
  out: string;
  err: string;
  /** The report line of one check (`PASS  label: …`), by its label's start. */
  line(labelStart: string): string;
}

/** Runs the doctor in-process and collects what it writes. */
export async function doctor(env: Record<string, string | undefined>, args: string[] = []): Promise<DoctorRun> {
  let out = '';
  let err = '';
  const code = await runDoctor({
    env,
    args,
    output: { write: (t: string) => (out += t) },
    errorOutput: { write: (t: string) => (err += t) },
  });
  return {
    code,
    out,
    err,
    line(labelStart: string): string {
      const found = out.split('\n').find((l) => l.slice(6).startsWith(labelStart));
      if (found === undefined) throw new Error(`no line for "${labelStart}" in:\n${out}`);
      return found;
    },
  };
}

/** The environment an operator would set for this stand-in (Web Services included). */
export function envFor(fake: FakeLuminate, overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    LUMINATE_SECURE_URL: fake.secureUrl,
    LUMINATE_API_KEY: fake.apiKey,
    LUMINATE_API_LOGIN_NAME: fake.apiLogin.name,
    LUMINATE_API_LOGIN_PASSWORD: fake.apiLogin.password,
    LUMINATE_API_SECRET_KEY: fake.apiSecretKey,
    LUMINATE_WS_URL: fake.webServicesUrl,
    LUMINATE_WS_USERNAME: fake.webServicesLogin.userName,
    LUMINATE_WS_PASSWORD: fake.webServicesLogin.password,
    ...overrides,
  };
}
