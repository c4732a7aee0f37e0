const { getEventListeners } = require('events');
const { LuminateClient } = require('/work/main/dist');
const { createFakeLuminate } = require('/work/main/dist/testing');
(async () => {
  const fake = await createFakeLuminate();
  const client = new LuminateClient({ secureUrl: fake.secureUrl, apiKey: fake.apiKey, apiLogin: fake.apiLogin });
  const c = new AbortController();
  for (let i = 0; i < 50; i++) await client.getSingleSignOnToken({ consId: '1001641' }, { signal: c.signal });
  console.log('listeners after 50 calls:', getEventListeners(c.signal, 'abort').length);
  fake.faults.latencyMs = 200;
  const p = client.getSingleSignOnToken({ consId: '1001641' }, { signal: c.signal }).catch((e) => e.code);
  setTimeout(() => c.abort(), 50);
  console.log('abort mid-call ->', await p, 'listeners:', getEventListeners(c.signal, 'abort').length);
  const t = new LuminateClient({ secureUrl: fake.secureUrl, apiKey: fake.apiKey, apiLogin: fake.apiLogin, timeoutMs: 100 });
  const c2 = new AbortController();
  console.log('timeout ->', await t.getSingleSignOnToken({ consId: '1001641' }, { signal: c2.signal }).catch((e) => e.code), 'listeners:', getEventListeners(c2.signal, 'abort').length);
  await client.close(); await t.close(); await fake.close();
})();
