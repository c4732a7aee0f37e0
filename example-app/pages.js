'use strict';
/** HTML of the example site. Every value that reaches a page goes through escapeHtml(). */

function escapeHtml(value) {
  return String(value).replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#23415f;color:#fff;padding:1rem 2rem;display:flex;justify-content:space-between;align-items:center}
header a,header button{color:#fff}main{max-width:40rem;margin:2rem auto;padding:0 1rem}
.card{background:#fff;border-radius:8px;padding:1.5rem 2rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.give{display:inline-block;margin:.5rem .5rem 0 0;padding:.7rem 1.4rem;border-radius:6px;background:#c0392b;color:#fff;text-decoration:none;font-weight:600}
.give.monthly{background:#23415f}label{display:block;margin:.8rem 0 .3rem}input{font-size:1rem;padding:.4rem;width:16rem}
form.inline{display:inline}button{font-size:1rem;padding:.5rem 1.2rem;cursor:pointer}
header button{background:none;border:1px solid #fff;border-radius:4px;padding:.3rem .8rem}
.error{color:#b00020;font-weight:600}.hint{color:#555;font-size:.9rem}code{background:#eef;padding:0 .2rem}
`;

function layout(title, { user, member, head = '' }, body) {
  // Everyone logs out of both sites through luminateLogin's logout, whichever way they logged in:
  // a shared computer must not stay logged in on the donation site. A plain link: a same-origin
  // GET logs out at once; from anywhere else it asks first, with a button.
  const account = user
    ? `<span>${escapeHtml(user.name)} · <a href="/luminate/logout">Log out</a></span>`
    : member
      ? `<span>${escapeHtml(member.name)} · <a href="/luminate/logout">Log out</a></span>`
      : '<a href="/login">Log in</a>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – Example Charity</title><link rel="stylesheet" href="/style.css">${head}</head>
<body><header><strong>Example Charity</strong>${account}</header>
<main>${body}</main></body></html>
`;
}

/** Home: the two giving links go through the bridge, which logs the supporter in on Luminate. */
/** `intentScript`: the bridge's own escaped tag (bridge.intentScriptTag(req)), '' without prepare. */
function homePage({ user, member, donateHref, monthlyHref, intentScript = '' }) {
  const greeting = user
    ? `<h1>Welcome back, ${escapeHtml(user.name)}</h1><p>You are logged in. Your gift will be recorded on your supporter record.</p>`
    : member
      ? '<h1>Welcome back, member</h1><p>You are logged in with your membership number, here and on the donation site.</p>'
      : '<h1>Welcome</h1><p><a href="/login">Log in</a> (or <a href="/member-login">with your membership number</a>) so your gift lands on your supporter record (Donate asks you to, first).</p>';
  return layout('Home', { user, member, head: intentScript }, `<div class="card">${greeting}
<p><a class="give" href="${escapeHtml(donateHref)}">Donate</a><a class="give monthly" href="${escapeHtml(monthlyHref)}">Give monthly</a></p></div>`);
}

function loginPage({ csrfToken, returnTo, username, error, demoLogins }) {
  const hint = demoLogins.length
    ? `<p class="hint">Demo logins on the stand-in Luminate: ${demoLogins
        .map((d) => `<code>${escapeHtml(d.username)}</code> / <code>${escapeHtml(d.password)}</code>`)
        .join(', ')}</p>`
    : '';
  return layout('Log in', {}, `<div class="card"><h1>Log in</h1>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="_csrf" value="${escapeHtml(csrfToken)}">
<input type="hidden" name="returnTo" value="${escapeHtml(returnTo)}">
<label for="username">User name</label><input id="username" name="username" autocomplete="username" required value="${escapeHtml(username ?? '')}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<p><button type="submit">Log in</button></p></form>
<p><a href="${escapeHtml(`/member-login?returnTo=${encodeURIComponent(returnTo)}`)}">Log in with your membership number instead</a></p>${hint}</div>`);
}

/** What luminateLogin's `?error=` means; anything else shows nothing. Never which field was wrong. */
const MEMBER_LOGIN_ERRORS = {
  credentials: 'We could not find a membership with these details. Please check them and try again.',
  incomplete: 'Please fill in both fields.',
  unavailable: 'Logging in is not available right now. Please try again in a moment.',
};

/** Posts to luminateLogin's route (`/luminate/login`) with its CSRF token; the fields are the site's authentication fields. */
function memberLoginPage({ csrfToken, returnTo, error, demoMembers }) {
  const message = typeof error === 'string' && Object.hasOwn(MEMBER_LOGIN_ERRORS, error) ? MEMBER_LOGIN_ERRORS[error] : '';
  const hint = demoMembers.length
    ? `<p class="hint">Demo members on the stand-in Luminate: ${demoMembers
        .map((d) => `<code>${escapeHtml(d.memberId)}</code> / <code>${escapeHtml(d.lastName)}</code>`)
        .join(', ')}</p>`
    : '';
  return layout('Log in with your membership number', {}, `<div class="card"><h1>Log in with your membership number</h1>
${message ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : ''}
<form method="post" action="/luminate/login">
<input type="hidden" name="_csrf" value="${escapeHtml(csrfToken)}">
<input type="hidden" name="returnTo" value="${escapeHtml(returnTo)}">
<label for="member_id">Membership number</label><input id="member_id" name="member_id" autocomplete="off" required maxlength="100">
<label for="last_name">Last name</label><input id="last_name" name="last_name" autocomplete="family-name" required maxlength="100">
<p><button type="submit">Log in</button></p></form>
<p><a href="${escapeHtml(`/login?returnTo=${encodeURIComponent(returnTo)}`)}">Log in with a user name and password instead</a></p>${hint}</div>`);
}

function messagePage(title, text) {
  return layout(title, {}, `<div class="card"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p><p><a href="/">Home</a></p></div>`);
}

/**
 * The bridge's own pages (the handoff, "please wait", a refused link, the logout confirmation) in
 * this site's layout: luminateSso's and luminateLogin's `renderPage` option. Every part of `page`
 * is HTML the bridge has already escaped: it goes in as is, never through escapeHtml() again.
 * The bridge adds its own script (with the CSP nonce) and headers; /style.css is allowed ('self').
 */
function bridgePage(page) {
  return `<!doctype html>
<html lang="en"><head>${page.head}
<title>${page.title} – Example Charity</title><link rel="stylesheet" href="/style.css"></head>
<body class="bridge-page bridge-${page.kind}"><header><strong>Example Charity</strong></header>
<main><div class="card">${page.body}</div></main></body></html>
`;
}

module.exports = { STYLE, escapeHtml, homePage, loginPage, memberLoginPage, messagePage, bridgePage };
