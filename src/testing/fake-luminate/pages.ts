import type { Call, SiteContext } from './context';
import { escapeXml as escapeHtml } from './format';
import { SESSION_COOKIE, sendHtml, sendText } from './http-io';

function page(title: string, body: string): string {
  return (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head>\n` +
    `<body>\n${body}\n</body></html>\n`
  );
}

/**
 * `GET <base>/site/Donation2?df_id=N`: shows in `#lo-status` (and its `data-cons-id`) whether the
 * browser arrived logged in, so tests and browser runs can read the SSO result off the page.
 */
export function handleDonationPage(ctx: SiteContext, call: Call): void {
  const { req, res, record, params, cookies } = call;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    record.outcome = 'http 405';
    sendText(res, 405, 'Method Not Allowed', { allow: 'GET, HEAD' });
    return;
  }
  const consId = ctx.state.sessionConsId(cookies[SESSION_COOKIE]);
  let status: string;
  if (consId === undefined) {
    status = '<p id="lo-status" data-cons-id="">Not logged in (guest)</p>';
  } else {
    const c = ctx.state.findByConsId(consId);
    const name = [c?.firstName, c?.lastName].filter((n) => n).join(' ') || c?.email || 'constituent';
    status =
      `<p id="lo-status" data-cons-id="${escapeHtml(consId)}">` +
      `Logged in as ${escapeHtml(name)} (cons_id ${escapeHtml(consId)})</p>`;
  }
  const dfId = params.df_id ?? '';
  record.outcome = 'ok';
  sendHtml(
    res,
    200,
    page(
      'Donate – Fake Luminate',
      '<h1>Donate</h1>\n' +
        `${status}\n` +
        `<p id="lo-form">Donation form <span id="df-id">${escapeHtml(dfId)}</span></p>\n` +
        '<form method="post" onsubmit="return false"><label>Amount <input name="amount" value="25"></label> ' +
        '<button type="submit">Give</button></form>\n' +
        '<p><small>Stand-in Luminate site for tests; no money moves.</small></p>',
    ),
  );
}

export function handleNotFound(call: Call): void {
  call.record.outcome = 'http 404';
  sendText(call.res, 404, 'Not Found');
}
