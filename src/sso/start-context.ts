import type { Request, Response } from 'express';
import type { CompiledDestinations } from '../http/destinations';
import type { BridgePages } from '../http/message-page';
import type { HandoffCsp } from '../http/security-headers';
import type { EstablishSessionUrl } from '../luminate/handoff';
import type { LuminateClient } from '../luminate/luminate-client';
import type { SingleFlight } from '../store/single-flight';
import type { MintThrottle } from './mint-throttle';
import type { PreparedTokens } from './prepared-tokens';
import type { ResolvedSsoOptions } from './options';

/** What one bridge's start route works with, made once by luminateSso(). */
export interface StartContext {
  config: ResolvedSsoOptions;
  client: Pick<LuminateClient, 'getSingleSignOnToken' | 'callServerApi'>;
  /** Shares one email lookup (and creation) between concurrent clicks. */
  flight: SingleFlight;
  destinations: CompiledDestinations;
  applyHeaders: (req: Request, res: Response, csp?: HandoffCsp) => void;
  /** The handoff and throttled pages (in the host's layout with `renderPage`). */
  pages: BridgePages;
  /** Limits token requests per visitor and per client IP. */
  throttle: MintThrottle;
  /** EstablishSession URLs for config.secureUrl: establishSessionUrls(config.secureUrl). */
  establishSessionUrl: EstablishSessionUrl;
  /** Tokens prepared on intent (`prepare` on), for the click to take. */
  prepared?: PreparedTokens;
}
