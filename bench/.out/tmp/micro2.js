const { Readable } = require('stream');
async function benchA(name, fn, n = 20000) { for (let i = 0; i < 2000; i++) await fn(); const s = process.hrtime.bigint(); for (let i = 0; i < n; i++) await fn(); console.log(name.padEnd(40), (Number(process.hrtime.bigint() - s) / n / 1000).toFixed(2), 'µs'); }
const chunk = Buffer.alloc(600, 65);
const mk = () => { const r = new Readable({ read() {} }); r.push(chunk); r.push(null); return r; };
(async () => {
  await benchA('readable create only', async () => mk());
  await benchA('for await', async () => { const b = mk(); const cs = []; for await (const c of b) cs.push(c); return Buffer.concat(cs); });
  await benchA('on data/end', () => new Promise((res, rej) => { const b = mk(); const cs = []; b.on('data', (c) => cs.push(c)); b.on('end', () => res(Buffer.concat(cs))); b.on('error', rej); }));
  await benchA('any + 2 controllers + timer', async () => { const a = new AbortController(); const t = setTimeout(() => {}, 5000); const b = new AbortController(); const s = AbortSignal.any([a.signal, b.signal]); clearTimeout(t); });
  await benchA('1 controller + listener + timer', async () => { const caller = new AbortController(); const a = new AbortController(); const t = setTimeout(() => {}, 5000); const f = () => a.abort(); caller.signal.addEventListener('abort', f, { once: true }); caller.signal.removeEventListener('abort', f); clearTimeout(t); });
  await benchA('caller controller only', async () => { const caller = new AbortController(); });
})();
