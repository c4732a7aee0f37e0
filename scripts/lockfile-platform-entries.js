#!/usr/bin/env node
// Adds lock-file entries for unrs-resolver's native bindings of other platforms (jest 30 needs
// unrs-resolver). Registries that serve only this platform's bindings make `npm install` leave
// them out, and then `npm ci` refuses the lock file ("Missing: @unrs/resolver-binding-… from
// lock file"). The entries carry os/cpu/libc, so `npm ci` skips them here without fetching.
// Run it after any `npm install` that rewrites package-lock.json.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const lockPath = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const parent = lock.packages['node_modules/unrs-resolver'];
if (!parent) {
  console.log('unrs-resolver is not in the lock file: nothing to do');
  process.exit(0);
}
let added = 0;
for (const [name, version] of Object.entries(parent.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  const m = /resolver-binding-([a-z0-9]+)-([a-z0-9]+)(?:-([a-z]+))?$/.exec(name);
  if (!m) throw new Error(`unexpected binding name ${name}`);
  const [, first, second, abi] = m;
  const entry = { version, dev: true, license: 'MIT', optional: true };
  if (first === 'wasm32') entry.cpu = ['wasm32'];
  else Object.assign(entry, { cpu: [second], os: [first] });
  if (abi === 'gnu' || abi === 'gnueabihf') entry.libc = ['glibc'];
  if (abi === 'musl' || abi === 'musleabihf') entry.libc = ['musl'];
  lock.packages[key] = entry;
  added += 1;
}
const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
lock.packages = sorted;
fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} platform entries to package-lock.json`);
