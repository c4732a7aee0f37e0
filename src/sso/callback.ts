import type { NextFunction, Request, Response } from 'express';
import { debugFor } from '../debug';
import { LuminateError } from '../errors';
import { resolveDestination } from '../http/destinations';
import { applyFailurePolicy, asLuminateError, callHookSafely, toErrorHandler } from '../http/failure';
import type { StartContext } from './start-context';
import { verifySignedRequest } from '../http/request-urls';
import { refusedSignatureCode, reportedLuminateCode } from '../luminate/signature';
import type { BridgeStore } from '../store/store';

const log = debugFor('callback');

type CallbackContext = Pick<StartContext, 'config' | 'destinations' | 'applyHeaders' | 'pages'> & { store: BridgeStore };

/**
 * `GET <callback>`: Luminate's signed error redirect after a failed singleSignOn. A valid one goes
 * through the failure policy; an invalid, expired or replayed one is a 400 that follows nothing
 * it carried (only a link to the configured default destination).
 */
export async function handleCallback(ctx: CallbackContext, req: Request, res: Response, next: NextFunction): Promise<void> {
  const { config } = ctx;
  const checked = verifySignedRequest(req, config, config.callbackMaxAgeSeconds, Date.now());
  if (!checked.ok) {
    refuse(ctx, req, res, next, new LuminateError(refusedSignatureCode(checked.reason), `Refused a callback: signature ${checked.reason}.`));
    return;
  }
  const fallback = ctx.destinations.default;
  let firstUse: boolean;
  try {
    firstUse = await ctx.store.setIfAbsent(`callback:${checked.signature}`, config.callbackMaxAgeSeconds * 2000);
  } catch (e) {
    // A replay guard that cannot answer must not pass the callback as if it had checked it.
    const err = asLuminateError(e, 'SSO_STORE_UNAVAILABLE', 'The replay store failed.');
    applyFailurePolicy(config, err, req, res, next, fallback, ctx.applyHeaders);
    return;
  }
  if (!firstUse) {
    refuse(ctx, req, res, next, new LuminateError('SSO_CALLBACK_REPLAYED', 'Refused a callback seen before.'));
    return;
  }
  const { url: destination } = resolveDestination(checked.params.get('next') ?? undefined, ctx.destinations);
  const luminateCode = reportedLuminateCode(checked.params);
  const reported = luminateCode === undefined ? '' : ` (code ${luminateCode})`;
  const err = new LuminateError('SSO_CALLBACK_ERROR', `Luminate reported that single sign-on failed${reported}.`, { luminateCode });
  log('valid error callback, luminate code %s', luminateCode ?? '-');
  applyFailurePolicy(config, err, req, res, next, destination, ctx.applyHeaders);
}

function refuse(ctx: CallbackContext, req: Request, res: Response, next: NextFunction, err: LuminateError): void {
  callHookSafely(ctx.config.onError, err, req);
  log('refused callback: %s', err.code);
  if (ctx.config.onFailure === 'error') {
    toErrorHandler(res, next, err);
    return;
  }
  // Only the configured default: nothing the refused callback carried is followed.
  ctx.pages.send(req, res, {
    kind: 'callback-refused', status: 400, title: 'This sign-in link is invalid or has expired',
    message: 'We could not sign you in with this link. You can still continue to the donation page.',
    link: { href: ctx.destinations.default, label: 'Continue to the donation page' },
  });
}
