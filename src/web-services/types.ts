import type { NetworkOptions } from '../client/types';

/**
 * Options of `new LuminateWebServices(options, env)`. Each of `url`, `userName` and `password`
 * falls back to its environment variable; the network options are those of `LuminateClient`.
 */
export interface LuminateWebServicesOptions extends NetworkOptions {
  /**
   * The SOAP endpoint of your site's Web Services. Env `LUMINATE_WS_URL`. https required except
   * on loopback. Its usual form, `https://webservices.<cluster>.convio.net/1.0/<org>`, is [?].
   */
  url?: string;
  /** User name of an API Administrator account allowed to use Web Services. Env `LUMINATE_WS_USERNAME`. */
  userName?: string;
  /** That account's password. Secret: sent only inside the Login request. Env `LUMINATE_WS_PASSWORD`. */
  password?: string;
  /**
   * A session idle this long is replaced by a fresh Login before the next call. Luminate keeps a
   * SessionId for 30 minutes of inactivity; the default, 25 minutes, leaves a margin for clocks
   * and calls in flight. Default 1_500_000 ms.
   */
  sessionIdleMs?: number;
}

/** A value of a SOAP request element: text, nested elements, or a repeated element. */
export type SoapValue = string | SoapParams | Array<string | SoapParams>;
/** Child elements of a SOAP operation, `{ UserName: 'x' }` → `<UserName>x</UserName>`, in insertion order. */
export interface SoapParams {
  [element: string]: SoapValue;
}

/** Per-call options. */
export interface WebServicesCallOptions {
  /** Stops waiting (the call rejects with LUMINATE_ABORTED). */
  signal?: AbortSignal;
}
