const { XMLValidator, XMLParser } = require('/work/main/node_modules/fast-xml-parser');
const { renderBody } = require('/work/main/dist/testing/fake-luminate/format');
const { parseXmlDocument } = require('/work/main/dist/client/parse-xml');
const body = renderBody('getSingleSignOnTokenResponse', { token: 'A'.repeat(86) + '..', cons_id: '1001641', nonce: 'n'.repeat(32), routing_id: '00000000.app1', JSESSIONID: 'ABCDEF0123456789ABCDEF0123456789' }, 'xml');
function bench(name, fn, n = 30000) { for (let i = 0; i < 3000; i++) fn(); const s = process.hrtime.bigint(); for (let i = 0; i < n; i++) fn(); console.log(name.padEnd(40), (Number(process.hrtime.bigint() - s) / n / 1000).toFixed(2), 'µs'); }
const base = { removeNSPrefix: true, parseTagValue: false, parseAttributeValue: false, ignoreAttributes: false, attributeNamePrefix: '@_', textNodeName: '#text', cdataPropName: '#cdata', processEntities: false, htmlEntities: false, ignoreDeclaration: true, ignorePiTags: true, trimValues: true };
const D = new Set(['__proto__', 'constructor', 'prototype']);
bench('parseXmlDocument', () => parseXmlDocument(body));
bench('validate', () => XMLValidator.validate(body));
bench('parse full opts', () => new XMLParser({ ...base, transformTagName: (n) => D.has(n) ? '#d' : n, transformAttributeName: (n) => D.has(n) ? '#d' : n }).parse(body));
const p1 = new XMLParser({ ...base, transformTagName: (n) => D.has(n) ? '#d' : n, transformAttributeName: (n) => D.has(n) ? '#d' : n });
bench('parse full opts (reused)', () => p1.parse(body));
const p2 = new XMLParser({ ...base });
bench('parse no transforms', () => p2.parse(body));
const p3 = new XMLParser({ ...base, removeNSPrefix: false });
bench('parse no transforms no removeNS', () => p3.parse(body));
const p4 = new XMLParser({ ...base, ignoreAttributes: true });
bench('parse ignoreAttributes', () => p4.parse(body));
bench('regex doctype', () => /<!doctype|<!entity/i.test(body));
