export { createFakeLuminate } from './server';
export { DEMO_CONSTITUENTS } from './demo-data';
export type {
  FakeConstituent,
  FakeFaults,
  FakeIssuedToken,
  FakeLuminate,
  FakeLuminateOptions,
  FakeRequestRecord,
  FakeSignatureAlgorithm,
  FakeWebServicesOptions,
} from './types';
