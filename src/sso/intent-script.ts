/** The intent script `prepare: true` serves at `<start path>/intent.js`, and the tag that loads it. */
import { escapeHtml } from '../http/message-page';

/**
 * Plain ES2017, no dependencies, no inline code (a CSP with `script-src 'self'` allows it). It
 * finds the start path from its own URL and the Luminate origin in its tag's
 * `data-luminate-origin`. On intent over a link to the start path — the pointer resting 100 ms,
 * pointerdown, focus, touchstart — it POSTs once per page per link URL to `<start>/prepare` with
 * the link's query (for attribution `fromQuery`) and the `X-Luminate-Intent` header, and adds a
 * `<link rel="preconnect">` to Luminate once (a hint: browsers that key connections by top-level
 * site do not reuse it for the navigation to Luminate; see bench/README.md).
 * `keepalive`: a click that navigates away does not cancel a prepare already sent.
 */
export const INTENT_SCRIPT = `/* luminate-sso-bridge: prepare the handoff on intent */
(function () {
  'use strict';
  var me = document.currentScript;
  if (!me || !window.fetch || !window.URL) return;
  var start = new URL(me.src, location.href).pathname.replace(/\\/intent\\.js$/, '');
  var luminate = me.getAttribute('data-luminate-origin');
  var asked = {};
  var resting;
  var hinted = false;
  function linkOf(target) {
    var a = target && target.closest ? target.closest('a[href]') : null;
    if (!a) return null;
    var url = new URL(a.href, location.href);
    return url.origin === location.origin && url.pathname === (start || '/') ? url : null;
  }
  function prepare(url) {
    if (asked[url.href]) return;
    asked[url.href] = true;
    if (luminate && !hinted) {
      hinted = true;
      var hint = document.createElement('link');
      hint.rel = 'preconnect';
      hint.href = luminate;
      document.head.appendChild(hint);
    }
    fetch(start + '/prepare' + url.search, {
      method: 'POST', credentials: 'same-origin', keepalive: true, headers: { 'X-Luminate-Intent': '1' }
    }).catch(function () {});
  }
  function atOnce(event) {
    var url = linkOf(event.target);
    if (url) prepare(url);
  }
  document.addEventListener('pointerdown', atOnce, true);
  document.addEventListener('touchstart', atOnce, { capture: true, passive: true });
  document.addEventListener('focusin', atOnce, true);
  document.addEventListener('pointerover', function (event) {
    var url = linkOf(event.target);
    clearTimeout(resting);
    if (url) resting = setTimeout(function () { prepare(url); }, 100);
  }, true);
  document.addEventListener('pointerout', function () { clearTimeout(resting); }, true);
})();
`;

/** `<script src="<scriptPath>" data-luminate-origin="<origin>" defer></script>`, escaped. */
export function intentScriptTag(scriptPath: string, luminateOrigin: string): string {
  return `<script src="${escapeHtml(scriptPath)}" data-luminate-origin="${escapeHtml(luminateOrigin)}" defer></script>`;
}
