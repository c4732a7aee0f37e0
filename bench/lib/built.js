'use strict';
/**
 * Where the benchmark loads the library from: the package's own build (dist/, made by
 * `npm run build`), or BENCH_LIB=<a built dist folder>, e.g. to compare two versions, or to keep
 * a long run apart from a rebuild of dist/ in the same tree.
 */
const path = require('node:path');

const DIST = process.env.BENCH_LIB ? path.resolve(process.env.BENCH_LIB) : path.join(__dirname, '..', '..', 'dist');

/** require() of the library (`built()`) or of one of its entry points (`built('testing')`). */
function built(entry = '') {
  return require(path.join(DIST, entry));
}

module.exports = { built, DIST };
