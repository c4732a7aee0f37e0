import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { TimerRegistry, type SiteContext } from './context';
import { clearFaults } from './faults';
import { resolveOptions, type SiteConfig } from './options';
import { route } from './router';
import { FakeState } from './state';
import type {
  FakeConstituent, FakeFaults, FakeIssuedToken, FakeLuminate, FakeLuminateOptions,
  FakeRequestRecord, FakeSignatureAlgorithm,
} from './types';

class FakeLuminateServer implements FakeLuminate {
  faults: FakeFaults = {};
  readonly url: string;
  readonly secureUrl: string;
  readonly webServicesUrl: string;
  readonly port: number;
  private closing?: Promise<void>;

  constructor(
    private readonly server: http.Server | https.Server,
    private readonly config: SiteConfig,
    private readonly state: FakeState,
    private readonly timers: TimerRegistry,
  ) {
    this.port = (server.address() as AddressInfo).port;
    const host = config.host === '::1' ? '[::1]' : config.host;
    this.url = `${config.tls ? 'https' : 'http'}://${host}:${this.port}`;
    this.secureUrl = `${this.url}${config.orgPath}`;
    this.webServicesUrl = `${this.url}${config.webServicesPath}`;
  }

  get apiKey(): string { return this.config.apiKey; }
  get apiLogin(): { name: string; password: string } { return { ...this.config.apiLogin }; }
  get apiSecretKey(): string { return this.config.apiSecretKey; }
  get signatureAlgorithm(): FakeSignatureAlgorithm { return this.config.signatureAlgorithm; }
  get requests(): FakeRequestRecord[] { return this.state.requests; }
  get issuedTokens(): FakeIssuedToken[] { return this.state.issuedTokens; }
  get sessions(): Map<string, string> { return this.state.sessions; }
  get constituents(): FakeConstituent[] { return this.state.constituents; }
  get webServicesLogin(): { userName: string; password: string } {
    return { userName: this.config.webServices.userName, password: this.config.webServices.password };
  }
  get webServicesSessions(): ReadonlyMap<string, number> { return this.state.wsSessions; }

  expireWebServicesSessions(): void {
    this.state.wsSessions.clear();
  }

  addConstituent(c: FakeConstituent): void {
    this.state.addConstituent(c);
  }

  reset(): void {
    clearFaults(this.faults);
    this.state.reset();
  }

  /** Stops listening, cuts open connections (keep-alive, stalled bodies) and pending delays. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve, reject) => {
      this.timers.clearAll();
      this.server.close((err) => (err ? reject(err) : resolve()));
      this.server.closeAllConnections();
    });
    return this.closing;
  }
}

/**
 * Start a stand-in Luminate Online site on loopback (HTTP, or HTTPS with `tls`). It speaks
 * SRConsAPI `getSingleSignOnToken`/`getUser`/`create`, CRConsAPI `singleSignOn`/`logout`/`loginTest`,
 * EstablishSession, a Donation2 page, and Web Services (SOAP) `Login`/`GetServerTime`. For tests, examples and benchmarks only.
 */
export async function createFakeLuminate(options?: FakeLuminateOptions): Promise<FakeLuminate> {
  const config = resolveOptions(options);
  const state = new FakeState(config.constituents, config.now);
  const timers = new TimerRegistry();
  let fake: FakeLuminateServer | undefined;
  const ctx: SiteContext = {
    config,
    state,
    secure: config.tls !== undefined,
    timers,
    faults: () => fake?.faults ?? {},
  };
  const listener: http.RequestListener = (req, res) => {
    route(ctx, req, res).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Internal Server Error');
      } else {
        res.destroy();
      }
    });
  };
  const server = config.tls
    ? https.createServer({ key: config.tls.key, cert: config.tls.cert }, listener)
    : http.createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  fake = new FakeLuminateServer(server, config, state, timers);
  return fake;
}
