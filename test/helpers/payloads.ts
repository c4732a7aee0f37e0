import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Decodes one corpus line; the format is described at the top of the fixture file. */
export function decodeLine(line: string, lineNo: number): string {
  if (/^\s|\s$/.test(line)) throw new Error(`line ${lineNo}: raw whitespace at an end; write \\x20 or \\t`);
  return line.replace(/\\(u\{([0-9a-fA-F]+)\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|.|$)/g, (whole, esc: string, cp, u4, x2) => {
    const hex = (cp ?? u4 ?? x2) as string | undefined;
    if (hex !== undefined) return String.fromCodePoint(parseInt(hex, 16));
    const simple: Record<string, string> = { t: '\t', r: '\r', n: '\n', '0': '\0', '\\': '\\' };
    const out = simple[esc];
    if (out === undefined) throw new Error(`line ${lineNo}: unknown escape ${whole}`);
    return out;
  });
}

export function loadPayloads(text: string): string[] {
  return text
    .split('\n')
    .map((line, i) => ({ line: line.replace(/\r$/, ''), lineNo: i + 1 }))
    .filter(({ line }) => line !== '' && !line.startsWith('#'))
    .map(({ line, lineNo }) => decodeLine(line, lineNo));
}

/** The open-redirect corpus, refused against the allow list `https://secure2.convio.net/myorg/site/`. */
export function openRedirectPayloads(): string[] {
  return loadPayloads(readFileSync(join(__dirname, '../fixtures/open-redirect-payloads.txt'), 'utf8'));
}
