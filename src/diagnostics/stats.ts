import { channel as diagnosticsChannel } from 'node:diagnostics_channel';
import type { LuminateErrorCode } from '../errors';
import type { HandoffMode } from '../luminate/types';

/**
 * Every outcome of a bridge request that counts for a dashboard is published here, as a plain
 * object (see BridgeEvent). Free when nobody subscribes. Carries no token, nonce, cons_id or URL.
 */
export const HANDOFF_CHANNEL_NAME = 'luminate-sso-bridge:handoff';
const handoffChannel = diagnosticsChannel(HANDOFF_CHANNEL_NAME);

/** What `luminate-sso-bridge:handoff` publishes. */
export type BridgeEvent =
  /** A visitor was handed over (auto-post page or EstablishSession redirect). */
  | { outcome: 'handoff'; handoff: HandoffMode }
  /** A failure under `onFailure: 'continue'`: the visitor went on as a guest. */
  | { outcome: 'guest'; code: LuminateErrorCode }
  /** A failure under `onFailure: 'error'`: passed to the host's error handler. */
  | { outcome: 'error'; code: LuminateErrorCode }
  /** Over a token throttle limit: 429. */
  | { outcome: 'throttled'; code: LuminateErrorCode }
  /** A callback refused with 400 (signature invalid, expired, replayed). */
  | { outcome: 'callback-refused'; code: LuminateErrorCode }
  /** A request that was not a top-level navigation (an <img>, a prefetch, HEAD): 403, nothing minted. */
  | { outcome: 'not-navigation'; code: 'SSO_NOT_NAVIGATION' }
  /** The host's renderPage failed: the built-in page was sent instead. */
  | { outcome: 'page-fallback'; code: 'SSO_RENDER_PAGE_FAILED' };

/** `bridge.stats()`: counts since the bridge was created, a fresh plain object each call. */
export interface BridgeStats {
  /** Handoffs sent to the browser, by mode. */
  handoffs: Record<HandoffMode, number>;
  /** Visitors sent on as guests after a failure (`onFailure: 'continue'`), by error code. */
  guestContinues: Partial<Record<LuminateErrorCode, number>>;
  /** Failures passed to the host's error handler (`onFailure: 'error'`), by error code. */
  errors: Partial<Record<LuminateErrorCode, number>>;
  /** Token requests refused by the throttle (429). */
  throttled: number;
  /** Callbacks refused with 400, by error code. */
  callbacksRefused: Partial<Record<LuminateErrorCode, number>>;
  /** Requests refused with 403 because they were not a top-level navigation (no token minted). */
  notNavigation: number;
  /** Pages sent in the built-in look because the host's `renderPage` failed. */
  pageFallbacks: number;
  /** Tokens prepared on intent: present only with `prepare` on. */
  prepared?: PreparedStats;
}

/** `bridge.stats().prepared`: counts of this process since the bridge was created. */
export interface PreparedStats {
  /** Tokens minted by a prepare request and kept for a click. */
  minted: number;
  /** Clicks that used a prepared token (no token call on the click), counted where the click was. */
  used: number;
  /**
   * Tokens this process prepared that no click in this process took within `ttlMs`, or that a click
   * took and could not use (another attribution, the visitor left). With several instances a token
   * prepared here and used on another counts here as unused and there as used.
   */
  unused: number;
  /** Prepare requests refused with 403 (SSO_PREPARE_REFUSED: not the intent script's same-origin POST). */
  refused: number;
}


const REFUSED_CALLBACK: ReadonlySet<LuminateErrorCode> = new Set(['SSO_CALLBACK_SIGNATURE_INVALID', 'SSO_CALLBACK_EXPIRED', 'SSO_CALLBACK_REPLAYED']);

/** The counters of one bridge. Keys are the fixed error codes: bounded memory. */
export class BridgeCounters {
  readonly #handoffs: Record<HandoffMode, number> = { singleSignOn: 0, establishSession: 0 };
  readonly #guest = new Map<LuminateErrorCode, number>();
  readonly #errors = new Map<LuminateErrorCode, number>();
  readonly #refused = new Map<LuminateErrorCode, number>();
  #throttled = 0;
  #notNavigation = 0;
  #pageFallbacks = 0;

  handoff(mode: HandoffMode): void {
    this.#handoffs[mode] += 1;
    publish({ outcome: 'handoff', handoff: mode });
  }

  /** Counts a failure the bridge answered; `policy` is onFailure. */
  failure(code: LuminateErrorCode, policy: 'continue' | 'error'): void {
    if (code === 'SSO_THROTTLED') {
      this.#throttled += 1;
      publish({ outcome: 'throttled', code });
    } else if (code === 'SSO_NOT_NAVIGATION') {
      // Not a failure of the handoff: the browser loaded the link as an image or a prefetch.
      this.#notNavigation += 1;
      publish({ outcome: 'not-navigation', code });
    } else if (code === 'SSO_RENDER_PAGE_FAILED') {
      // The visitor still got the page (built-in look); the hand-over itself is counted apart.
      this.#pageFallbacks += 1;
      publish({ outcome: 'page-fallback', code });
    } else if (REFUSED_CALLBACK.has(code)) {
      bump(this.#refused, code);
      publish({ outcome: 'callback-refused', code });
    } else if (policy === 'continue') {
      bump(this.#guest, code);
      publish({ outcome: 'guest', code });
    } else {
      bump(this.#errors, code);
      publish({ outcome: 'error', code });
    }
  }

  snapshot(): BridgeStats {
    return {
      handoffs: { ...this.#handoffs },
      guestContinues: Object.fromEntries(this.#guest),
      errors: Object.fromEntries(this.#errors),
      throttled: this.#throttled,
      callbacksRefused: Object.fromEntries(this.#refused),
      notNavigation: this.#notNavigation,
      pageFallbacks: this.#pageFallbacks,
    };
  }
}

function bump(counts: Map<LuminateErrorCode, number>, code: LuminateErrorCode): void {
  counts.set(code, (counts.get(code) ?? 0) + 1);
}

function publish(event: BridgeEvent): void {
  if (handoffChannel.hasSubscribers) handoffChannel.publish(event);
}
