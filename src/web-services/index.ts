export { LuminateWebServices } from './luminate-web-services';
export { DEFAULT_SESSION_IDLE_MS } from '../config/clients';
export type { LuminateWebServicesOptions, SoapParams, SoapValue, WebServicesCallOptions } from './types';
