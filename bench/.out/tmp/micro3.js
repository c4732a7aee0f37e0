const { startDeadline } = require('/work/main/dist/client/deadline');
function bench(name, fn, n = 50000) { for (let i = 0; i < 5000; i++) fn(); const s = process.hrtime.bigint(); for (let i = 0; i < n; i++) fn(); console.log(name.padEnd(40), (Number(process.hrtime.bigint() - s) / n / 1000).toFixed(2), 'µs'); }
bench('startDeadline + clear (caller signal)', () => { const c = new AbortController(); const d = startDeadline(5000, 'h', c.signal); d.signal.aborted; d.clear(); });
