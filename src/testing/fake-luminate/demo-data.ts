import type { FakeConstituent } from './types';

/**
 * The constituents a stand-in site starts with. Ids are strings on purpose: `0012345` must
 * survive every parser unchanged. Member ids are unique here; pass your own list to test the
 * "several records match member_id" error (8).
 */
export const DEMO_CONSTITUENTS: readonly Readonly<FakeConstituent>[] = Object.freeze([
  Object.freeze({
    consId: '1001641',
    memberId: 'M-1001',
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: 'ada@example.org',
    userName: 'ada',
    password: 'demo-password-ada',
  }),
  Object.freeze({
    consId: '0012345',
    memberId: 'M-0042',
    firstName: 'Grace',
    lastName: 'Hopper',
    email: 'grace@example.org',
    userName: 'grace',
    password: 'demo-password-grace',
  }),
  Object.freeze({
    consId: '1002001',
    memberId: 'M-2001',
    firstName: 'Alan',
    lastName: 'Turing',
    email: 'alan@example.org',
    userName: 'alan',
    password: 'demo-password-alan',
  }),
]);
