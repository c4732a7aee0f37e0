'use strict';
/**
 * What counts as a correct answer. A handoff answer is either the handoff itself (the auto-post
 * page, or the 302 to EstablishSession with a nonce) or, when Luminate failed, the guest 302 to
 * the destination (onFailure 'continue'). Anything else — a 500, another status, another
 * Location, no answer — is wrong.
 */

/** `&#38;` and the few named references the bridge's page could hold, back to text. */
function unescapeHtml(value) {
  return value
    .replace(/&#(\d+);/g, (_m, code) => String.fromCharCode(Number(code)))
    .replace(/&(amp|lt|gt|quot);/g, (_m, name) => ({ amp: '&', lt: '<', gt: '>', quot: '"' })[name]);
}

/** The auto-post form's action and fields, or undefined when the page has none. */
function parseAutoPostForm(html) {
  const form = /<form id="luminate-sso" method="post" action="([^"]+)">/.exec(html);
  if (!form) return undefined;
  const fields = [...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [unescapeHtml(m[1]), unescapeHtml(m[2])]);
  return { action: unescapeHtml(form[1]), fields };
}

/**
 * `mode` 'post' (singleSignOn) or 'redirect' (establishSession). Returns `{ verdict: 'handoff',
 * form? }`, `{ verdict: 'guest' }` or `{ verdict: 'wrong', reason }`.
 */
function classifyStart({ mode, status, location, body, secureUrl, destination }) {
  if (status === 302 && location === destination) return { verdict: 'guest' };
  if (mode === 'post' && status === 200) {
    const form = parseAutoPostForm(body);
    const token = form?.fields.find(([name]) => name === 'sso_auth_token')?.[1];
    if (form && form.action === `${secureUrl}/site/CRConsAPI` && token) return { verdict: 'handoff', form };
    return { verdict: 'wrong', reason: '200 without a complete auto-post form' };
  }
  if (mode === 'redirect' && status === 302 && typeof location === 'string') {
    if (location.startsWith(`${secureUrl}/site/EstablishSession`) && /[?&]NONCE_TOKEN=[^&]+/.test(location)) return { verdict: 'handoff' };
    return { verdict: 'wrong', reason: '302 to an unexpected place' };
  }
  return { verdict: 'wrong', reason: `status ${status}` };
}

/**
 * Throws unless the checks above tell right from wrong on hand-made answers: run before the load,
 * so a broken check cannot pass a run.
 */
function selfCheck() {
  const secureUrl = 'http://127.0.0.1:1/org';
  const destination = `${secureUrl}/site/Donation2?df_id=1`;
  const page = `<form id="luminate-sso" method="post" action="${secureUrl}/site/CRConsAPI">\n<input type="hidden" name="sso_auth_token" value="abc..">`;
  const cases = [
    [{ mode: 'post', status: 200, body: page }, 'handoff'],
    [{ mode: 'redirect', status: 302, location: `${secureUrl}/site/EstablishSession;jsessionid=x?NONCE_TOKEN=n&NEXTURL=y` }, 'handoff'],
    [{ mode: 'post', status: 302, location: destination }, 'guest'],
    [{ mode: 'post', status: 500, body: 'Internal Server Error' }, 'wrong'],
    [{ mode: 'post', status: 200, body: page.replace('value="abc.."', 'value=""') }, 'wrong'],
    [{ mode: 'post', status: 302, location: `${destination}0` }, 'wrong'],
    [{ mode: 'redirect', status: 302, location: `${secureUrl}/site/EstablishSession?NEXTURL=y` }, 'wrong'],
    [{ mode: 'redirect', status: 200, body: page }, 'wrong'],
  ];
  for (const [answer, expected] of cases) {
    const got = classifyStart({ body: '', ...answer, secureUrl, destination }).verdict;
    if (got !== expected) throw new Error(`load check: ${JSON.stringify(answer)} classified ${got}, expected ${expected}`);
  }
}

module.exports = { classifyStart, parseAutoPostForm, selfCheck };
