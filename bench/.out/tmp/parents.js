const fs = require('fs');
const [file, fn] = process.argv.slice(2);
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const self = new Map();
for (let i = 0; i < prof.samples.length; i++) self.set(prof.samples[i], (self.get(prof.samples[i]) || 0) + (prof.timeDeltas[i + 1] || 0) / 1000);
const parent = new Map();
prof.nodes.forEach((n) => (n.children || []).forEach((c) => parent.set(c, n.id)));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const name = (n) => `${n.callFrame.functionName || '(anon)'} ${(n.callFrame.url || '').split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
const agg = {};
for (const n of prof.nodes) if (n.callFrame.functionName === fn) {
  const chain = []; let id = parent.get(n.id);
  for (let i = 0; i < 6 && id !== undefined; i++) { chain.push(name(byId.get(id))); id = parent.get(id); }
  const k = chain.join(' < ');
  agg[k] = (agg[k] || 0) + (self.get(n.id) || 0);
}
Object.entries(agg).sort((a, b) => b[1] - a[1]).slice(0, 8).forEach(([k, ms]) => console.log(ms.toFixed(0).padStart(6), k));
