import type { Attribution, SingleSignOnToken } from './types';
import { ROUTING_ID } from './values';

export interface SingleSignOnForm {
  /** `<secureUrl>/site/CRConsAPI`, where the form posts. */
  action: string;
  fields: Array<[name: string, value: string]>;
}

/** The fields of Luminate's client-API `singleSignOn` POST; the token goes only in this body. */
export function singleSignOnForm(input: {
  secureUrl: string;
  apiKey: string;
  token: string;
  destination: string;
  errorRedirect: string;
  rememberMe: boolean;
  attribution?: Attribution;
}): SingleSignOnForm {
  const fields: Array<[string, string]> = [
    ['method', 'singleSignOn'],
    ['api_key', input.apiKey],
    ['v', '1.0'],
    ['sso_auth_token', input.token],
    ['success_redirect', input.destination],
    ['error_redirect', input.errorRedirect],
    ['sign_redirects', 'true'],
  ];
  if (input.rememberMe) fields.push(['remember_me', 'true']);
  if (input.attribution?.source !== undefined) fields.push(['source', input.attribution.source]);
  if (input.attribution?.subSource !== undefined) fields.push(['sub_source', input.attribution.subSource]);
  return { action: `${input.secureUrl}/site/CRConsAPI`, fields };
}

/** Builds one site's EstablishSession URLs: see establishSessionUrls. */
export type EstablishSessionUrl = (token: Partial<SingleSignOnToken> & { nonce: string }, destination: string) => string;

/** `<secureUrl>/site/EstablishSession;jsessionid=<routing_id>?NONCE_TOKEN=<nonce>&NEXTURL=<destination>` for one site. */
export function establishSessionUrls(secureUrl: string): EstablishSessionUrl {
  return (token, destination) => {
    const affinity = token.routingId && ROUTING_ID.test(token.routingId) ? `;jsessionid=${token.routingId}` : '';
    const url = new URL(`${secureUrl}/site/EstablishSession${affinity}`);
    url.searchParams.set('NONCE_TOKEN', token.nonce);
    url.searchParams.set('NEXTURL', destination);
    return url.href;
  };
}
