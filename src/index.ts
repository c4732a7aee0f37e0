export { luminateSso, type LuminateSsoMiddleware, type LuminateSsoRouter } from './sso/luminate-sso';
export type {
  LuminateSsoOptions,
  ConstituentResult,
  HandoffInfo,
  AttributionOptions,
  AttributionFunction,
  ProvisionDetails,
  ProvisionFunction,
} from './sso/options';
export type { LuminateSiteOptions, SignatureAlgorithm } from './config/site';
export type { Attribution, HandoffMode } from './luminate/types';
export { luminateLink } from './sso/attribution';
export type { BridgePage, PageKind, RenderPage } from './http/message-page';
export { luminateLogin, type LuminateLoginRouter } from './login/luminate-login';
export type { LuminateLoginOptions, LoginInfo, LoginMode } from './login/options';
export { LOGIN_SESSION_KEY, loggedInConstituent, type LoginSession } from './http/login-session';
export { luminateCsrfToken } from './login/csrf';
export { SESSION_KEY, type RememberedConstituent } from './sso/find-constituent';
export { MemoryStore, type BridgeStore, type MemoryStoreOptions } from './store/store';
export { RedisStore, type RedisStoreOptions, type RedisClientLike } from './store/redis-store';
export { verifySignedQuery, type SignedQueryCheck, type SignedQueryResult } from './luminate/signature';
export type { NetworkOptions } from './config/network';
export type { MintThrottleOptions } from './config/store';
export type { ThrottleRule } from './store/sliding-window';
export { LuminateClient } from './luminate/luminate-client';
export type { LuminateClientOptions, SingleSignOnToken, ConstituentRef, CallOptions, ResponseFormat } from './luminate/types';
export { LuminateWebServices, DEFAULT_SESSION_IDLE_MS } from './web-services';
export type { LuminateWebServicesOptions, SoapParams, SoapValue, WebServicesCallOptions } from './web-services';
export { ERROR_CHANNEL_NAME } from './errors';
export { LuminateError, isLuminateError, codeForLuminateError, LUMINATE_API_ERROR_CODES, type LuminateErrorCode } from './errors';
export { HANDOFF_CHANNEL_NAME, type BridgeStats, type BridgeEvent, type PreparedStats } from './diagnostics/stats';
export type { BridgeLogger, WarningCode } from './config/logger';
export type { VerifyReport } from './diagnostics/monitor';
