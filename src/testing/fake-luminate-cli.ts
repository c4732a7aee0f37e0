#!/usr/bin/env node
/**
 * Run the stand-in Luminate site from a shell:
 *   luminate-sso-bridge-fake --port 4010 [--host 127.0.0.1] [--org-path /fakeorg] [--sha1] [--no-nonces]
 * Stops on Ctrl+C (SIGINT) or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { createFakeLuminate, DEMO_CONSTITUENTS } from './fake-luminate';

const USAGE =
  'Usage: luminate-sso-bridge-fake [--port 4010] [--host 127.0.0.1] [--org-path /fakeorg] [--sha1] [--no-nonces]';

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string', default: '4010' },
      host: { type: 'string', default: '127.0.0.1' },
      'org-path': { type: 'string' },
      sha1: { type: 'boolean', default: false },
      'no-nonces': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535) {
    throw new TypeError(`--port must be a number 0-65535, got ${JSON.stringify(values.port)}`);
  }
  const fake = await createFakeLuminate({
    host: values.host,
    port: Number(values.port),
    ...(values['org-path'] !== undefined ? { orgPath: values['org-path'] } : {}),
    signatureAlgorithm: values.sha1 ? 'sha1' : 'md5',
    issueNonces: !values['no-nonces'],
  });
  const lines = [
    'Fake Luminate Online site (a local stand-in for tests and demos, not Blackbaud)',
    `  secure URL:      ${fake.secureUrl}`,
    `  API key:         ${fake.apiKey}`,
    `  API login name:  ${fake.apiLogin.name}`,
    `  API password:    ${fake.apiLogin.password}   (demo value of this stand-in)`,
    `  API secret key:  ${fake.apiSecretKey}   (demo value; signs redirects with ${fake.signatureAlgorithm})`,
    `  nonces:          ${values['no-nonces'] ? 'off (old-site replies: token and cons_id only)' : 'on'}`,
    `  Web Services:    ${fake.webServicesUrl}   (SOAP Login ${fake.webServicesLogin.userName} / ${fake.webServicesLogin.password}, demo values)`,
    'Demo constituents:',
    ...DEMO_CONSTITUENTS.map(
      (c) => `  cons_id ${c.consId}  member_id ${c.memberId ?? '-'}  ${c.firstName ?? ''} ${c.lastName ?? ''} <${c.email ?? ''}>`,
    ),
    `Donation page:     ${fake.secureUrl}/site/Donation2?df_id=1234`,
    'Press Ctrl+C to stop.',
  ];
  console.log(lines.join('\n'));
  const stop = (signal: string): void => {
    console.log(`\n${signal}: stopping the fake Luminate site`);
    fake.close().then(
      () => undefined, // nothing else holds the event loop: the process ends by itself
      (err: unknown) => {
        console.error(err);
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  console.error(USAGE);
  process.exitCode = 2;
});
