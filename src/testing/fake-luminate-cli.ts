#!/usr/bin/env node
/**
 * Run the stand-in Luminate site from a shell:
 *   luminate-sso-bridge-fake --port 4010 [--host 127.0.0.1] [--org-path /fakeorg] [--sha1] [--no-nonces]
 * `--help` lists the flags and the LUMINATE_* variables that point the bridge at the stand-in.
 * Stops on Ctrl+C (SIGINT) or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { createFakeLuminate, DEMO_CONSTITUENTS } from './fake-luminate';
import { resolveOptions } from './fake-luminate/options';

const USAGE =
  'Usage: luminate-sso-bridge-fake [--port 4010] [--host 127.0.0.1] [--org-path /fakeorg] [--sha1] [--no-nonces]';

const FLAGS = [
  ['--port N', 'port to listen on (default 4010; 0 picks a free one)'],
  ['--host HOST', 'loopback address to listen on: 127.0.0.1 (default), ::1 or localhost'],
  ['--org-path PATH', "the site's path after the host (default /fakeorg; '' for none)"],
  ['--sha1', 'sign redirects with SHA-1 (default MD5): set LUMINATE_SIGNATURE_ALGORITHM=sha1 to match'],
  ['--no-nonces', 'answer as an older site: getSingleSignOnToken without a nonce (EstablishSession falls back)'],
  ['-h, --help', 'this help'],
] as const;

/** What the stand-in listens as, and the demo credentials it accepts. */
interface Site {
  secureUrl: string;
  apiKey: string;
  apiLogin: { name: string; password: string };
  apiSecretKey: string;
  signatureAlgorithm: string;
  webServicesUrl: string;
  webServicesLogin: { userName: string; password: string };
}

/** The environment that points luminateSso(), luminateLogin(), `doctor` and the example app at the stand-in. */
function environment(site: Site): string[] {
  return [
    `LUMINATE_SECURE_URL=${site.secureUrl}`,
    `LUMINATE_API_KEY=${site.apiKey}`,
    `LUMINATE_API_LOGIN_NAME=${site.apiLogin.name}`,
    `LUMINATE_API_LOGIN_PASSWORD=${site.apiLogin.password}`,
    `LUMINATE_API_SECRET_KEY=${site.apiSecretKey}`,
    `LUMINATE_SIGNATURE_ALGORITHM=${site.signatureAlgorithm}`,
    `LUMINATE_WS_URL=${site.webServicesUrl}`,
    `LUMINATE_WS_USERNAME=${site.webServicesLogin.userName}`,
    `LUMINATE_WS_PASSWORD=${site.webServicesLogin.password}`,
  ];
}

/** The help, with the variables for the flags given alongside `--help` (the demo values of the stand-in). */
function help(options: { host: string; port: number; orgPath?: string; sha1: boolean }): string {
  const config = resolveOptions({
    host: options.host, port: options.port, ...(options.orgPath !== undefined ? { orgPath: options.orgPath } : {}),
    signatureAlgorithm: options.sha1 ? 'sha1' : 'md5',
  });
  const url = `http://${config.host === '::1' ? '[::1]' : config.host}:${options.port === 0 ? '<port>' : options.port}`;
  const site: Site = {
    ...config, secureUrl: `${url}${config.orgPath}`, webServicesUrl: `${url}${config.webServicesPath}`,
    webServicesLogin: { userName: config.webServices.userName, password: config.webServices.password },
  };
  return [
    USAGE,
    '',
    'Runs a stand-in Luminate Online site on this machine, for tests and demos (not Blackbaud):',
    'the server API (getSingleSignOnToken, getUser, create, authenticateUser, login), singleSignOn,',
    'EstablishSession, logout, the Web Services Login and a donation page that shows who is logged in.',
    '',
    'Flags:',
    ...FLAGS.map(([flag, text]) => `  ${flag.padEnd(17)} ${text}`),
    '',
    'Point the bridge, `luminate-sso-bridge doctor` or the example app at it with (demo values):',
    ...environment(site).map((line) => `  ${line}`),
  ].join('\n');
}

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
  if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535) {
    throw new TypeError(`--port must be a number 0-65535, got ${JSON.stringify(values.port)}`);
  }
  if (values.help) {
    console.log(help({ host: values.host, port: Number(values.port), orgPath: values['org-path'], sha1: values.sha1 }));
    return;
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
    'The same as environment variables (for the bridge, doctor or the example app):',
    ...environment({
      secureUrl: fake.secureUrl, apiKey: fake.apiKey, apiLogin: fake.apiLogin, apiSecretKey: fake.apiSecretKey,
      signatureAlgorithm: fake.signatureAlgorithm, webServicesUrl: fake.webServicesUrl, webServicesLogin: fake.webServicesLogin,
    }).map((line) => `  ${line}`),
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
