export { LuminateWebServices, type WebServicesCallOptions } from './luminate-web-services';
export { DEFAULT_SESSION_IDLE_MS, type LuminateWebServicesOptions } from '../config/clients';
export type { SoapParams, SoapValue } from './envelope';
