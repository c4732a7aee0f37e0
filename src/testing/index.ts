/** `luminate-sso-bridge/testing`: a stand-in Luminate site and helpers for tests. */
export { createFakeLuminate, DEMO_CONSTITUENTS } from './fake-luminate';
export type * from './fake-luminate';
export { createSelfSignedCertificate } from './self-signed';
