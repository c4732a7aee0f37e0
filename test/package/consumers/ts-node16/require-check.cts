// The same package seen from a CommonJS TypeScript file (compiled to require()): the "types"
// conditions must resolve for require as well as for import.
import assert = require('node:assert/strict');
import { luminateSso, isLuminateError, LuminateError, type LuminateSsoOptions } from 'luminate-sso-bridge';
import { createFakeLuminate, type FakeLuminate } from 'luminate-sso-bridge/testing';

const hook: LuminateSsoOptions['constituent'] = () => ({ consId: '1001641' });
const pending: Promise<FakeLuminate> | undefined = undefined;
assert.equal(typeof luminateSso, 'function');
assert.equal(typeof createFakeLuminate, 'function');
assert.equal(typeof hook, 'function');
assert.equal(pending, undefined);
assert.ok(isLuminateError(new LuminateError('LUMINATE_TIMEOUT', 'probe')));
console.log('ts consumer: require entry points ok');
