import { channel } from 'node:diagnostics_channel';
import { FAKE_LUMINATE_CHANNEL_NAME } from './context';
import { createFakeLuminate as startFakeLuminate } from './server';
import type { FakeLuminate, FakeLuminateOptions } from './types';

export { FAKE_LUMINATE_CHANNEL_NAME };

/**
 * Each stand-in is published on FAKE_LUMINATE_CHANNEL_NAME once it listens, so a test harness can
 * learn the secrets it was given (API password, secret key) and watch the tokens it issues — the
 * repository's test setup checks that none of them shows up in logs, errors or answers. Free when
 * nobody subscribes.
 */
const created = channel(FAKE_LUMINATE_CHANNEL_NAME);

/**
 * Start a stand-in Luminate Online site on loopback (HTTP, or HTTPS with `tls`). It speaks
 * SRConsAPI `getSingleSignOnToken`/`getUser`/`create`, CRConsAPI `singleSignOn`/`logout`/`loginTest`,
 * EstablishSession, a Donation2 page, and Web Services (SOAP) `Login`/`GetServerTime`. For tests, examples and benchmarks only.
 * Resolves once it listens; `close()` it when done.
 * @throws TypeError (rejects) "createFakeLuminate: option `<name>` …" for an unknown or bad option (a host that is not
 * loopback, a port outside 0–65535, duplicate cons_ids…); rejects with the server's own error when it cannot listen (EADDRINUSE).
 */
export async function createFakeLuminate(options?: FakeLuminateOptions): Promise<FakeLuminate> {
  const fake = await startFakeLuminate(options);
  if (created.hasSubscribers) created.publish(fake);
  return fake;
}
export { DEMO_CONSTITUENTS } from './demo-data';
export type {
  FakeConstituent,
  FakeFaults,
  FakeIssuedToken,
  FakeLuminate,
  FakeLuminateOptions,
  FakeRawReply,
  FakeRequestRecord,
  FakeSignatureAlgorithm,
  FakeWebServicesOptions,
} from './types';
