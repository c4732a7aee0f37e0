import { LuminateWebServices } from '../../src/web-services';
import type { LuminateWebServicesOptions } from '../../src/web-services';
import type { FakeLuminate } from '../../src/testing';

/** A client for the stand-in's Web Services (nothing read from the environment). */
export function wsFor(fake: FakeLuminate, overrides: LuminateWebServicesOptions = {}): LuminateWebServices {
  return new LuminateWebServices({
    url: fake.webServicesUrl,
    userName: fake.webServicesLogin.userName,
    password: fake.webServicesLogin.password,
    timeoutMs: 3000,
    ...overrides,
  }, {});
}

/** `Operation outcome` of each SOAP request the stand-in received, oldest first. */
export function soapLog(fake: FakeLuminate): string[] {
  return fake.requests.filter((r) => r.path === new URL(fake.webServicesUrl).pathname).map((r) => `${r.apiMethod ?? '?'} ${r.outcome ?? '?'}`);
}

export function count(log: string[], entry: string): number {
  return log.filter((line) => line === entry).length;
}

/** A SOAP 1.1 envelope around `body`, as Luminate answers. */
export function soapEnvelope(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

export const SESSION_ID = '1c79d882d01b4e24dc5cfcc9e462138391342c23:JSESSIONID=abcwDjW3UwpfAe_yIlS4r:10000100:2008-12-12T17:11:09.262Z';

export function loginReply(sessionId = SESSION_ID): string {
  return soapEnvelope(`<LoginResponse xmlns="urn:soap.convio.com"><Result><SessionId>${sessionId}</SessionId></Result></LoginResponse>`);
}

export function fault(name: string, message: string, faultcode = 'soap:Client'): string {
  return soapEnvelope(`<soap:Fault><faultcode>${faultcode}</faultcode><faultstring>${message}</faultstring>` +
    `<detail><${name} xmlns="urn:fault.soap.convio.com"><ExceptionCode>X</ExceptionCode><ExceptionMessage>${message}</ExceptionMessage></${name}></detail></soap:Fault>`);
}
