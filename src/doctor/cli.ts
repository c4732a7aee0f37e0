#!/usr/bin/env node
/**
 * The `luminate-sso-bridge` command. One subcommand for now:
 *   luminate-sso-bridge doctor [--cons-id ID | --member-id ID] [--timeout-ms N] [--json]
 */
import { runDoctor } from './run-doctor';

const USAGE = 'Usage: luminate-sso-bridge doctor [--cons-id ID | --member-id ID] [--timeout-ms N] [--json]\n' +
  '       luminate-sso-bridge doctor --help   (its checks and flags)\n' +
  '\n' +
  'doctor: checks the LUMINATE_* settings of this server, then the Luminate site (API key, IP white list,\n' +
  'API administrator login, a test token, the Web Services login).';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'doctor') {
    return runDoctor({ env: process.env, args: rest, output: process.stdout, errorOutput: process.stderr });
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  process.stderr.write(`luminate-sso-bridge: unknown command ${JSON.stringify(command)}\n${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`luminate-sso-bridge: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
