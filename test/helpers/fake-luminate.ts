import { createFakeLuminate, type FakeLuminate, type FakeLuminateOptions } from '../../src/testing';

/**
 * One stand-in Luminate for the file or `describe` block this is called in: started in a
 * `beforeAll`, reset before each test (faults, requests, tokens and sessions cleared; constituents
 * kept), closed in an `afterAll`.
 *
 * Returns an object that forwards every read and write to the stand-in the `beforeAll` started,
 * so it can be named once at the top of the block and used as is (`fake.secureUrl`,
 * `fake.faults = {...}`, `startHostApp(fake)`). Reading it before that `beforeAll` has run (e.g.
 * while jest collects the tests) throws. It has no own keys: do not spread, serialise or send it
 * to another process (pass the fields you need).
 *
 * Call it before the block's own hooks that use the stand-in: hooks run in the order they are
 * registered. Resetting before each test (rather than after) keeps that true for the `afterEach`
 * hooks that close a test's apps: whatever they do to the stand-in is gone by the next test.
 */
export function useFakeLuminate(options?: FakeLuminateOptions): FakeLuminate {
  let fake: FakeLuminate | undefined;
  beforeAll(async () => {
    fake = await createFakeLuminate(options);
  });
  beforeEach(() => fake?.reset());
  afterAll(() => fake?.close());

  const current = (): FakeLuminate => {
    if (!fake) throw new Error('useFakeLuminate(): the stand-in is read before its beforeAll has started it');
    return fake;
  };
  // Every read and write goes to the stand-in of the moment; its methods stay bound to it.
  return new Proxy({} as FakeLuminate, {
    get(_target, key) {
      const value: unknown = Reflect.get(current(), key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(current()) : value;
    },
    set(_target, key, value) {
      return Reflect.set(current(), key, value);
    },
  });
}
