import { parsePlainXml } from '../../src/client/parse-plain-xml';
import { parseXmlDocumentFully } from '../../src/client/parse-xml';
import type { LuminateValue } from '../../src/client/values';

/**
 * The quick reader must never change an outcome: whatever it accepts, the full validator and
 * parser accept and read to the same value; everything else it leaves to them.
 */

const ROOT = 'getSingleSignOnTokenResponse';
const NS = 'xsi:schemaLocation="http://convio.com/crm/v1.0 http://service.convio.net/xmlschema/crm.public.v1.xsd" ' +
  'xmlns="http://convio.com/crm/v1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
const TOKEN_REPLY = `<?xml version="1.0" encoding="UTF-8"?>\n<${ROOT} ${NS}><token>5F8p37tMzmB9qfjoXd9i2nkb_INrxXfa8wL7rbpSQkm5gw..</token>` +
  `<cons_id>1001641</cons_id><nonce>b3e1c0f2-9a</nonce><routing_id>00000000.appb</routing_id><JSESSIONID>ABC123.app8007</JSESSIONID></${ROOT}>`;

/** A comparable picture of a value: records say whether their prototype is null. */
function shape(value: LuminateValue): unknown {
  if (value === null || typeof value === 'string') return value;
  if (Array.isArray(value)) return { array: value.map(shape) };
  const entries = Object.keys(value).map((k) => [k, shape(value[k] as LuminateValue)]);
  return { nullPrototype: Object.getPrototypeOf(value) === null, entries };
}

/** The full path's outcome: its value, or the fact that it refused. */
function fully(body: string): unknown {
  try {
    const { root, content } = parseXmlDocumentFully(body);
    return { root, content: shape(content) };
  } catch {
    return 'refused';
  }
}

function quickly(body: string): unknown {
  const parsed = parsePlainXml(body);
  return parsed === undefined ? undefined : { root: parsed.root, content: shape(parsed.content) };
}

describe('parsePlainXml reads plain replies as the full parser does', () => {
  const plain: string[] = [
    TOKEN_REPLY,
    `<${ROOT}><token>t</token><cons_id>7</cons_id></${ROOT}>`,
    `<?xml version='1.0' encoding='UTF-8' standalone='yes'?><${ROOT} xmlns="http://convio.com/crm/v1">\n  <token>abc_DEF..</token>\n  <cons_id>00123</cons_id>\n</${ROOT}>`,
    `<c:${ROOT} xmlns:c="http://convio.com/crm/v1.0"><c:token>t</c:token><c:cons_id>7</c:cons_id></c:${ROOT}>`,
    `<${ROOT}><token>a</token><token>b</token><cons_id>1</cons_id><token>c</token></${ROOT}>`,
    `<${ROOT}><token>  spaced value  </token><nonce></nonce><JSESSIONID/><routing_id a="1" /></${ROOT}>`,
    `<getConsResponse><name><first>Ann</first><last>Lee</last></name><email><primary_address>a@example.org</primary_address></email></getConsResponse>`,
    '<errorResponse xmlns="http://convio.com/crm/v1.0"><code>2</code><message>Incorrect API key.</message></errorResponse>',
    '<singleSignOnMethodResponse xmlns="http://convio.com/crm/v1.0">9dlp0oxn21.app8007</singleSignOnMethodResponse>',
    `<${ROOT}/>`,
    `<${ROOT}>   </${ROOT}>`,
    `<${ROOT}><a><b><c>deep</c></b><b>x</b></a></${ROOT}>`,
    `<${ROOT}><token>1e5</token><cons_id>0x1F</cons_id><nonce>a/b=c?d;e:f'g"h</nonce></${ROOT}>`,
  ];

  it.each(plain)('%s', (body) => {
    const quick = quickly(body);
    expect(quick).toBeDefined();
    expect(quick).toEqual(fully(body));
  });

  it('takes a typical token reply without the general parser', () => {
    expect(quickly(TOKEN_REPLY)).toEqual({
      root: ROOT,
      content: {
        nullPrototype: true,
        entries: [['token', '5F8p37tMzmB9qfjoXd9i2nkb_INrxXfa8wL7rbpSQkm5gw..'], ['cons_id', '1001641'],
          ['nonce', 'b3e1c0f2-9a'], ['routing_id', '00000000.appb'], ['JSESSIONID', 'ABC123.app8007']],
      },
    });
  });
});

describe('parsePlainXml leaves everything else to the full path', () => {
  const others: Array<[string, string]> = [
    ['a DOCTYPE', `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]><${ROOT}><token>&x;</token></${ROOT}>`],
    ['an ENTITY inside the root', `<${ROOT}><token>t</token><!ENTITY x "y"></${ROOT}>`],
    ['entities', `<${ROOT}><token>a&amp;b</token></${ROOT}>`],
    ['character references', `<${ROOT}><token>&#116;</token></${ROOT}>`],
    ['CDATA', `<${ROOT}><token><![CDATA[t]]></token></${ROOT}>`],
    ['a comment', `<${ROOT}><!-- c --><token>t</token></${ROOT}>`],
    ['a processing instruction', `<${ROOT}><?pi x?><token>t</token></${ROOT}>`],
    ['a declaration with other pseudo-attributes', `<?xml version="1.0" foo="bar"?><${ROOT}/>`],
    ['a declaration of XML 1.1', `<?xml version="1.1"?><${ROOT}/>`],
    ['xsi:nil', `<${ROOT}><token xsi:nil="true"/></${ROOT}>`],
    ['nil without prefix', `<${ROOT}><token nil="1">t</token></${ROOT}>`],
    ['non-ASCII text', `<${ROOT}><first>Zoë</first></${ROOT}>`],
    ['a control character', `<${ROOT}><token>a\u0001b</token></${ROOT}>`],
    ['a tab inside a value', `<${ROOT}><token>a\tb</token></${ROOT}>`],
    ['a > in text', `<${ROOT}><token>a>b</token></${ROOT}>`],
    ['mixed content', `<${ROOT}>text<token>t</token></${ROOT}>`],
    ['text after a child', `<${ROOT}><token>t</token>text</${ROOT}>`],
    ['__proto__', `<${ROOT}><__proto__><polluted>yes</polluted></__proto__></${ROOT}>`],
    ['constructor', `<${ROOT}><constructor>x</constructor></${ROOT}>`],
    ['prototype', `<${ROOT}><prototype>x</prototype></${ROOT}>`],
    ['toString', `<${ROOT}><toString>x</toString></${ROOT}>`],
    ['a dangerous prefix', `<${ROOT}><__proto__:a>x</__proto__:a></${ROOT}>`],
    ['an xmlns prefix on an element', `<${ROOT}><xmlns:a>x</xmlns:a></${ROOT}>`],
    ['two colons', `<${ROOT}><a:b:c>x</a:b:c></${ROOT}>`],
    ['a repeated attribute', `<${ROOT} a="1" a="2"><token>t</token></${ROOT}>`],
    ['an attribute without a value', `<${ROOT} a><token>t</token></${ROOT}>`],
    ['an unquoted attribute', `<${ROOT} a=1><token>t</token></${ROOT}>`],
    ['attributes without space between them', `<${ROOT} a="1"b="2"/>`],
    ['a < in an attribute', `<${ROOT} a="<"/>`],
    ['a mismatched end tag', `<${ROOT}><token>t</tokn></${ROOT}>`],
    ['an end tag with a space', `<${ROOT}><token>t</token ></${ROOT}>`],
    ['a truncated reply', `<${ROOT}><token>abc</token><cons_id>1`],
    ['two roots', `<${ROOT}/><${ROOT}/>`],
    ['text after the root', `<${ROOT}/>x`],
    ['nesting deeper than 16', `<${ROOT}>${'<a>'.repeat(20)}x${'</a>'.repeat(20)}</${ROOT}>`],
    ['an HTML page', '<html><body><p>Down</p></body></html>x'],
  ];

  it.each(others)('%s', (_what, body) => {
    expect(parsePlainXml(body)).toBeUndefined();
  });
});

/** A small deterministic PRNG (mulberry32): the same mutants on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['<', '>', '/', '=', '"', "'", '&', ';', '!', '?', ':', ' ', '\t', '\n', '\r', '-', '.', '_', '#', '[', ']',
  'a', 'Z', '0', '9', 'é', '\u0000', '\u00a0', '\ufeff', 'xsi:nil="true"', 'nil', '__proto__', 'toString', 'xml', 'xmlns:x',
  '<![CDATA[', ']]>', '<!--', '-->', '&amp;', '&#65;', '<!DOCTYPE', '<!ENTITY', '</token>', '<token>', '<a>', '</a>', '<b/>'];

function mutate(body: string, random: () => number): string {
  let out = body;
  const edits = 1 + Math.floor(random() * 3);
  for (let n = 0; n < edits; n += 1) {
    const at = Math.floor(random() * (out.length + 1));
    const piece = PIECES[Math.floor(random() * PIECES.length)] as string;
    const op = random();
    if (op < 0.4) out = out.slice(0, at) + piece + out.slice(at);
    else if (op < 0.7) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(random() * 4));
    else if (op < 0.9) out = out.slice(0, at) + piece + out.slice(at + piece.length);
    else {
      const from = Math.floor(random() * out.length);
      out = out.slice(0, at) + out.slice(from, from + 1 + Math.floor(random() * 24)) + out.slice(at);
    }
  }
  return out;
}

describe('parsePlainXml against the full path on mutated replies', () => {
  const seeds = [
    TOKEN_REPLY,
    `<c:${ROOT} xmlns:c="x"><c:token>t</c:token><c:cons_id>7</c:cons_id></c:${ROOT}>`,
    '<errorResponse xmlns="http://convio.com/crm/v1.0"><code>14</code><message>The specified record does not exist.</message></errorResponse>',
    `<getConsResponse><name><first>Ann</first></name><name><first>Bob</first></name><custom><boolean><id>1</id></boolean></custom></getConsResponse>`,
  ];

  it('never accepts what the full path refuses, and never reads a value differently (20,000 mutants)', () => {
    const random = prng(20260601);
    let accepted = 0;
    let left = 0;
    for (let n = 0; n < 20_000; n += 1) {
      const body = mutate(seeds[n % seeds.length] as string, random).trim();
      const quick = quickly(body);
      if (quick === undefined) {
        left += 1;
        continue;
      }
      accepted += 1;
      const full = fully(body);
      if (JSON.stringify(quick) !== JSON.stringify(full)) {
        // Show the first difference with its input, not 20,000 assertions.
        expect({ body, quick }).toEqual({ body, quick: full });
      }
    }
    // The mutants must exercise both sides, or this test proves nothing.
    expect(accepted).toBeGreaterThan(1_000);
    expect(left).toBeGreaterThan(10_000);
  });

  it('reads 5,000 generated plain documents (nesting, repeats, attributes, spacing) as the full path does', () => {
    const random = prng(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const names = ['token', 'cons_id', 'nonce', 'a', 'b', 'c:b', 'x.y', 'x-y', '_z', 'Name9'];
    const spaces = ['', ' ', '\n  ', '\t', '\r\n'];
    const texts = ['', 't', '00123', ' padded ', 'a b', 'x/y=z?', "it's", '"q"', '1e5', '..'];
    const attributes = () => (random() < 0.3 ? ` ${pick(['a', 'xmlns', 'xmlns:c', 'c:a', 'b'])}=${pick(['"v"', "'v w'", '""'])}` : '');
    const element = (depth: number): string => {
      const name = pick(names);
      const open = `<${name}${attributes()}`;
      const r = random();
      if (r < 0.15) return `${open}${pick(['/>', ' />'])}`;
      if (depth >= 4 || r < 0.6) return `${open}>${pick(spaces)}${pick(texts)}${pick(spaces)}</${name}>`;
      const children = Array.from({ length: 1 + Math.floor(random() * 4) }, () => `${pick(spaces)}${element(depth + 1)}`).join('');
      return `${open}>${children}${pick(spaces)}</${name}>`;
    };
    for (let n = 0; n < 5_000; n += 1) {
      const declaration = pick(['', '<?xml version="1.0"?>', "<?xml version='1.0' encoding='UTF-8'?>\n"]);
      const body = `${declaration}${element(0)}`.trim();
      const quick = quickly(body);
      if (quick === undefined || JSON.stringify(quick) !== JSON.stringify(fully(body))) {
        expect({ body, quick }).toEqual({ body, quick: fully(body) });
      }
    }
  });
});
