const oldH = require('./old-security-headers.js');
const newH = require('/work/main/dist/sso/security-headers.js');
const fakeRes = () => { const h = new Map(); return { h, locals: {}, setHeader: (k, v) => { h.set(k.toLowerCase(), String(v)); }, getHeader: (k) => h.get(k.toLowerCase()), removeHeader: (k) => h.delete(k.toLowerCase()) }; };
const a = oldH.bridgeSecurityHeaders(), b = newH.bridgeSecurityHeaders();
for (const csp of [undefined, { nonce: 'abc+/=', formActionOrigins: ['https://a.org', 'http://127.0.0.1:3000'] }, { nonce: 'x', formActionOrigins: [] }]) {
  const r1 = fakeRes(), r2 = fakeRes();
  r1.h.set('x-powered-by', 'Express'); r2.h.set('x-powered-by', 'Express');
  a({}, r1, csp); b({}, r2, csp);
  const s1 = JSON.stringify([...r1.h].sort()), s2 = JSON.stringify([...r2.h].sort());
  console.log(s1 === s2 ? 'same' : `DIFF\n${s1}\n${s2}`);
}
console.log([...(() => { const r = fakeRes(); b({}, r, { nonce: 'n', formActionOrigins: ['https://a.org'] }); return r.h; })()]);
for (const bad of ['https://a;b.com', 'https://a,b.com']) {
  for (const [n, f] of [['old', a], ['new', b]]) { try { f({}, fakeRes(), { nonce: 'n', formActionOrigins: [bad] }); console.log(n, bad, 'accepted'); } catch (e) { console.log(n, bad, 'throws', e.message); } }
}
