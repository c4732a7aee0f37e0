export type { LuminateWebServicesOptions } from '../config/clients';

/** A value of a SOAP request element: text, nested elements, or a repeated element. */
export type SoapValue = string | SoapParams | Array<string | SoapParams>;
/** Child elements of a SOAP operation, `{ UserName: 'x' }` → `<UserName>x</UserName>`, in insertion order. */
export interface SoapParams {
  [element: string]: SoapValue;
}

/** Per-call options. */
export interface WebServicesCallOptions {
  /** An AbortSignal that stops waiting (the call rejects with LUMINATE_ABORTED). */
  signal?: AbortSignal;
}
