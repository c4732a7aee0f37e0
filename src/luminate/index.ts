export { LuminateClient } from './luminate-client';
export { parseLuminateResponse, readErrorResponse, type ResponseContext } from './parse-response';
export { readOptionalId, readOptionalString, readRequiredId, readRequiredString, type LuminateRecord, type LuminateValue } from './values';
export { CLIENT_DEFAULTS } from '../config/clients';
export type {
  CallOptions,
  ConstituentRef,
  LuminateClientOptions,
  ResponseFormat,
  SingleSignOnToken,
} from './types';
