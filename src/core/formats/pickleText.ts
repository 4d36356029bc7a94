/** Decoders for the text forms that protocol 0 pickles use. */

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  r: '\r',
  t: '\t',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

/** Decodes the quoted Python bytes literal of a STRING opcode (for example `'a\\x00b'`). */
export function decodeStringLiteral(text: string): string {
  const quote = text[0];
  if (text.length < 2 || (quote !== "'" && quote !== '"') || text[text.length - 1] !== quote) {
    throw new Error(`STRING argument ${JSON.stringify(text.slice(0, 40))} is not quoted`);
  }
  const body = text.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const char = body[i];
    if (char !== '\\') {
      out += char;
      continue;
    }
    const next = body[++i];
    if (next === 'x') {
      out += hexChar(body.slice(i + 1, i + 3), 2);
      i += 2;
    } else if (next >= '0' && next <= '7') {
      const octal = /^[0-7]{1,3}/.exec(body.slice(i))![0];
      out += String.fromCharCode(parseInt(octal, 8) & 0xff);
      i += octal.length - 1;
    } else if (next !== undefined && next in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[next];
    } else {
      out += '\\' + (next ?? '');
    }
  }
  return out;
}

/** Decodes the raw-unicode-escape text of a UNICODE opcode: only `\uXXXX` and `\UXXXXXXXX`. */
export function decodeRawUnicodeEscape(text: string): string {
  return text.replace(
    /\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g,
    (_match, short?: string, long?: string) =>
      String.fromCodePoint(parseInt(short ?? long ?? '0', 16)),
  );
}

function hexChar(digits: string, width: number): string {
  if (digits.length !== width || !/^[0-9a-fA-F]+$/.test(digits))
    throw new Error(`invalid \\x escape '${digits}'`);
  return String.fromCharCode(parseInt(digits, 16));
}
