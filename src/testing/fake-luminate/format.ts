/** Luminate-shaped XML and JSON replies. */

export type ResponseFormat = 'xml' | 'json';

/** A reply value: text, nil, or nested elements (objects keep insertion order). */
export type ReplyValue = string | null | { [name: string]: ReplyValue };

export interface Reply {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

const NS_ATTRS =
  'xsi:schemaLocation="http://convio.com/crm/v1.0 http://service.convio.net/xmlschema/crm.public.v1.xsd" ' +
  'xmlns="http://convio.com/crm/v1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

export const CONTENT_TYPES: Record<ResponseFormat, string> = {
  xml: 'text/xml;charset=UTF-8',
  // Real Luminate labels JSON as text/plain.
  json: 'text/plain;charset=UTF-8',
};

export const ERROR_MESSAGES: Record<number, string> = {
  1: 'Unable to process request.',
  2: 'Incorrect API key.',
  3: 'Authorization failed.',
  4: 'Request not allowed from this IP address.',
  6: 'No method or invalid method specified.',
  7: 'Single SignOn failed.',
  8: 'The request matched more than one constituent record.',
  9: 'Required parameters are missing.',
  // [?] the stand-in's wording for create's duplicates; real sites' messages are not documented
  11: 'A constituent record with that member ID already exists.',
  12: 'That user name is already taken.',
  13: 'A constituent record with that email address already exists.',
  14: 'Method not allowed.',
  16: 'The specified record does not exist.',
  202: 'User is not logged in.',
};

/** Any value other than `json` means the default, xml. */
export function formatOf(params: Record<string, string>): ResponseFormat {
  return params.response_format === 'json' ? 'json' : 'xml';
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (ch) =>
    ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch === '&' ? '&amp;' : ch === '"' ? '&quot;' : '&apos;',
  );
}

function xmlChildren(value: { [name: string]: ReplyValue }): string {
  return Object.entries(value)
    .map(([name, v]) => {
      if (v === null) return `<${name} xsi:nil="true"/>`;
      if (typeof v === 'string') return `<${name}>${escapeXml(v)}</${name}>`;
      return `<${name}>${xmlChildren(v)}</${name}>`;
    })
    .join('');
}

export function renderBody(root: string, value: ReplyValue, format: ResponseFormat): string {
  if (format === 'json') return JSON.stringify({ [root]: value });
  const inner = value === null ? '' : typeof value === 'string' ? escapeXml(value) : xmlChildren(value);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} ${NS_ATTRS}>${inner}</${root}>`;
}

export function reply(status: number, root: string, value: ReplyValue, format: ResponseFormat): Reply {
  return {
    status,
    headers: { 'content-type': CONTENT_TYPES[format], 'cache-control': 'no-store' },
    body: renderBody(root, value, format),
  };
}

/** An errorResponse: HTTP 403, or 200 when the caller asked for suppress_response_codes. */
export function errorReply(code: number, params: Record<string, string>, status?: number): Reply {
  const httpStatus = status ?? (params.suppress_response_codes === 'true' ? 200 : 403);
  const message = ERROR_MESSAGES[code] ?? ERROR_MESSAGES[1]!;
  return reply(httpStatus, 'errorResponse', { code: String(code), message }, formatOf(params));
}
