// The same package seen from an ES module TypeScript file (compiled to import): the "types"
// conditions must resolve for import as well as for require, and the named imports must exist
// at run time (Node's cjs-module-lexer reading the CommonJS build).
import assert from 'node:assert/strict';
import { luminateSso, isLuminateError, LuminateError, type LuminateSsoOptions } from 'luminate-sso-bridge';
import { createFakeLuminate, type FakeLuminate } from 'luminate-sso-bridge/testing';

const hook: LuminateSsoOptions['constituent'] = () => ({ consId: '1001641' });
const pending: Promise<FakeLuminate> | undefined = undefined;
assert.equal(typeof luminateSso, 'function');
assert.equal(typeof createFakeLuminate, 'function');
assert.equal(typeof hook, 'function');
assert.equal(pending, undefined);
assert.ok(isLuminateError(new LuminateError('LUMINATE_TIMEOUT', 'probe')));
console.log('ts consumer: import entry points ok');
