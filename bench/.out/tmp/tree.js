const fs = require('fs');
const [file, fn, depthS] = process.argv.slice(2);
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const self = new Map();
for (let i = 0; i < prof.samples.length; i++) self.set(prof.samples[i], (self.get(prof.samples[i]) || 0) + (prof.timeDeltas[i + 1] || 0) / 1000);
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const tot = new Map();
const visit = (id) => { if (tot.has(id)) return tot.get(id); const n = byId.get(id); let ms = self.get(id) || 0; for (const c of n.children || []) ms += visit(c); tot.set(id, ms); return ms; };
prof.nodes.forEach((n) => visit(n.id));
const name = (n) => `${n.callFrame.functionName || '(anon)'} ${(n.callFrame.url || '').split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
// aggregate tree under all nodes named fn
const agg = {};
const add = (node, path, depth) => {
  const key = path.concat(name(node)).join(' > ');
  agg[key] = (agg[key] || 0) + tot.get(node.id);
  if (depth > 0) for (const c of node.children || []) add(byId.get(c), path.concat(name(node)), depth - 1);
};
for (const n of prof.nodes) if (n.callFrame.functionName === fn) add(n, [], Number(depthS || 2));
Object.entries(agg).filter(([, ms]) => ms > 15).sort((a, b) => a[0].localeCompare(b[0])).forEach(([k, ms]) => console.log(ms.toFixed(0).padStart(6), k));
