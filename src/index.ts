export { luminateSso, type LuminateSsoRouter } from './sso/luminate-sso';
export type {
  LuminateSsoOptions,
  LuminateSiteOptions,
  ConstituentResult,
  HandoffMode,
  HandoffInfo,
  SignatureAlgorithm,
} from './sso/options';
export { MemoryStore, type BridgeStore, type MemoryStoreOptions } from './sso/store';
export { verifySignedQuery, type SignedQueryResult } from './sso/signature';
export { LuminateClient } from './client/luminate-client';
export type { LuminateClientOptions, SingleSignOnToken, ConstituentRef, CallOptions, ResponseFormat } from './client/types';
export { LuminateError, isLuminateError, codeForLuminateError, LUMINATE_API_ERROR_CODES, type LuminateErrorCode } from './errors';
