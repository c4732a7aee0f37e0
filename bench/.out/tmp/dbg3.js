const { Agent, request } = require('/work/main/node_modules/undici');
const { createFakeLuminate, createSelfSignedCertificate } = require('/work/main/dist/testing');
(async () => {
  // timer accuracy
  const t = [];
  for (let i = 0; i < 20; i++) { const s = performance.now(); await new Promise(r => setTimeout(r, 50)); t.push(performance.now() - s); }
  t.sort((a,b)=>a-b); console.log('setTimeout(50) p50', t[10].toFixed(2), 'max', t[19].toFixed(2));
  const { key, cert } = createSelfSignedCertificate();
  const fake = await createFakeLuminate({ tls: { key, cert } });
  const agent = new Agent({ connect: { ca: cert } });
  const body = new URLSearchParams({ method: 'getSingleSignOnToken', v: '1.0', api_key: fake.apiKey, login_name: fake.apiLogin.name, login_password: fake.apiLogin.password, cons_id: '1001641' }).toString();
  for (const lat of [0, 50]) {
    fake.faults.latencyMs = lat;
    const xs = [];
    for (let i = 0; i < 200; i++) {
      const s = performance.now();
      const r = await request(`${fake.secureUrl}/site/SRConsAPI`, { method: 'POST', dispatcher: agent, body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      await r.body.text();
      xs.push(performance.now() - s);
    }
    xs.sort((a,b)=>a-b); console.log('latency', lat, 'p50', xs[100].toFixed(2), 'p99', xs[197].toFixed(2));
  }
  await agent.close(); await fake.close();
})();
