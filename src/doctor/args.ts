import { parseArgs } from 'node:util';
import type { ConstituentRef } from '../luminate/types';
import { CONS_ID } from '../luminate/values';

export const USAGE = [
  'Usage: luminate-sso-bridge doctor [--cons-id ID | --member-id ID] [--timeout-ms N] [--json]',
  '',
  'Checks this server\'s Luminate set-up, one line per check (PASS, FAIL with a fix, or SKIP):',
  '  1. Settings, without network traffic: LUMINATE_SECURE_URL, LUMINATE_API_KEY,',
  '     LUMINATE_API_LOGIN_NAME / _PASSWORD, LUMINATE_API_SECRET_KEY, LUMINATE_SIGNATURE_ALGORITHM,',
  '     and LUMINATE_WS_URL / _USERNAME / _PASSWORD (all three or none).',
  '  2. The site, with one getSingleSignOnToken call: the API key (error 2), this server\'s IP on',
  '     the API white list (error 4), the API administrator login (error 3).',
  '  3. A test token for --cons-id or --member-id (it lapses unused).',
  '  4. The Web Services login, when LUMINATE_WS_* are set.',
  '',
  'Flags:',
  '  --cons-id ID      also ask for a token for this constituent (Luminate\'s internal id)',
  '  --member-id ID    the same, by the member_id your site stores (not with --cons-id)',
  '  --timeout-ms N    deadline of each network check, 100 to 120000 (default 10000)',
  '  --json            the report as JSON (ok, exitCode, summary, checks)',
  '  -h, --help        this help',
  '',
  'Never prints a password, the API secret key, a token, a nonce or a SessionId.',
  'Exit code 0 when no check failed, 1 when one did, 2 for a usage error.',
].join('\n');

export class UsageError extends Error {}

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_TIMEOUT_MS = 120_000;

/** The doctor's options (what follows `doctor` on the command line). */
export function parseDoctorArgs(args: readonly string[]): { ref?: ConstituentRef; timeoutMs: number; json: boolean; help: boolean } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        'cons-id': { type: 'string' },
        'member-id': { type: 'string' },
        'timeout-ms': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const consId = values['cons-id'] as string | undefined;
  const memberId = values['member-id'] as string | undefined;
  if (consId !== undefined && memberId !== undefined) throw new UsageError('give --cons-id or --member-id, not both');
  for (const [flag, id] of [['--cons-id', consId], ['--member-id', memberId]] as const) {
    if (id !== undefined && !CONS_ID.test(id)) throw new UsageError(`${flag} must be 1-255 printable characters without spaces`);
  }
  const rawTimeout = values['timeout-ms'] as string | undefined;
  const timeoutMs = rawTimeout === undefined ? DEFAULT_TIMEOUT_MS : Number(rawTimeout);
  if (rawTimeout !== undefined && (!/^\d{1,6}$/.test(rawTimeout) || timeoutMs < 100 || timeoutMs > MAX_TIMEOUT_MS)) {
    throw new UsageError(`--timeout-ms must be a whole number of milliseconds from 100 to ${MAX_TIMEOUT_MS}`);
  }
  const parsed: ReturnType<typeof parseDoctorArgs> = { timeoutMs, json: values.json === true, help: values.help === true };
  if (consId !== undefined) parsed.ref = { consId };
  else if (memberId !== undefined) parsed.ref = { memberId };
  return parsed;
}
