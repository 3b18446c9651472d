/**
 * The result of {@link unquoteGoString}: the unquoted value, or what is wrong with the literal.
 */
export type UnquoteGoStringResult = { ok: true; value: string } | { ok: false; problem: string };

const DOUBLE_QUOTE = '"';
const BACKQUOTE = "`";
const BACKSLASH = "\\";
const MAX_CODE_POINT = 0x10ffff;

/** The byte each single-letter escape stands for (Go spec, "Rune literals"). */
const SIMPLE_ESCAPES: Readonly<Record<string, number>> = Object.freeze({
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
  "\\": 0x5c,
  '"': 0x22,
});

/** How many hex digits follow each numeric escape letter. */
const HEX_ESCAPE_DIGITS: Readonly<Record<string, number>> = Object.freeze({ x: 2, u: 4, U: 8 });

const HEX_DIGITS = /^[0-9a-fA-F]+$/;
const OCTAL_DIGIT = /^[0-7]$/;

/** Decodes UTF-8 like Go prints a string: each ill-formed sequence becomes U+FFFD, a leading BOM is kept. */
const utf8Decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/**
 * Unquotes a Go string literal exactly as Go's `strconv.Unquote` does, so that values written by Go's
 * `strconv.Quote` or `fmt`'s `%q` (the Kubernetes downward-API files, for one) read back unchanged. Never throws.
 *
 * Double-quoted literals accept the escapes `\a \b \f \n \r \t \v \\ \"`, octal `\NNN` (at most `\377`), `\xHH`,
 * `\uHHHH` and `\UHHHHHHHH`. As in Go, `\'` is not valid inside double quotes, an unescaped line break is not valid,
 * `\u`/`\U` refuse surrogate halves and code points above U+10FFFF, and nothing may follow the closing quote.
 *
 * `\x` and octal escapes are raw bytes, not code points: the bytes of the whole literal are collected and decoded as
 * UTF-8 at the end, so `"\xe2\x82\xac"` is `"€"`. Where Go would return a string that is not valid UTF-8 (`"\xff"`),
 * each ill-formed byte sequence becomes U+FFFD, which is what Go shows when such a string is printed (JavaScript
 * strings cannot hold raw bytes). Runs of ill-formed bytes are replaced following the WHATWG Encoding Standard, one
 * U+FFFD per maximal ill-formed subsequence. A lone surrogate in the input likewise becomes U+FFFD.
 *
 * Backquoted raw literals are returned as written, minus carriage returns (Go drops `\r` from raw literals); they
 * may span lines but cannot contain a backquote.
 *
 * Go's single-quoted rune literals (`'a'`) are refused: they quote a character, not a string.
 *
 * @param quoted - The whole literal, quotes included, with nothing before or after it.
 * @returns `{ ok: true, value }`, or `{ ok: false, problem }` where `problem` names the fault and its offset. The
 * problem never repeats the literal itself.
 *
 * @example
 * ```ts
 * unquoteGoString('"arn:aws:iam::123456789012:role/orders-reader"'); // { ok: true, value: "arn:aws:iam::…" }
 * unquoteGoString('"\\xe2\\x82\\xac 5"'); // { ok: true, value: "€ 5" }
 * unquoteGoString("\"it\\'s\""); // { ok: false, problem: "invalid escape \\' at offset 3 …" }
 * ```
 */
export const unquoteGoString = (quoted: string): UnquoteGoStringResult => {
  if (quoted.length < 2) return fail("a quoted string needs an opening and a closing quote");
  const quote = quoted[0];
  if (quote === BACKQUOTE) return unquoteRaw(quoted);
  if (quote === DOUBLE_QUOTE) return unquoteInterpreted(quoted);
  if (quote === "'") return fail("a single-quoted Go rune literal is not a string");
  return fail("a quoted string must start with a double quote or a backquote");
};

const fail = (problem: string): UnquoteGoStringResult => ({ ok: false, problem });

const unquoteRaw = (quoted: string): UnquoteGoStringResult => {
  const end = quoted.indexOf(BACKQUOTE, 1);
  if (end < 0) return fail("the raw string has no closing backquote");
  if (end !== quoted.length - 1) return fail(`unexpected text after the closing backquote at offset ${end}`);
  const inner = quoted.slice(1, end).replaceAll("\r", "");
  return { ok: true, value: utf8Decoder.decode(utf8Encoder.encode(inner)) };
};

const unquoteInterpreted = (quoted: string): UnquoteGoStringResult => {
  const bytes: number[] = [];
  let index = 1;
  while (index < quoted.length && quoted[index] !== DOUBLE_QUOTE) {
    const char = quoted[index];
    if (char === "\n") return fail(`unescaped line break at offset ${index}`);
    const step = char === BACKSLASH ? readEscape(quoted, index) : readLiteral(quoted, index);
    if (!step.ok) return fail(step.problem);
    bytes.push(...step.bytes);
    index = step.next;
  }
  if (index >= quoted.length) return fail("the string has no closing double quote");
  if (index !== quoted.length - 1) return fail(`unexpected text after the closing double quote at offset ${index}`);
  return { ok: true, value: utf8Decoder.decode(Uint8Array.from(bytes)) };
};

type Step = { ok: true; bytes: readonly number[]; next: number } | { ok: false; problem: string };

/** One literal character (a whole code point, so a surrogate pair stays together) as its UTF-8 bytes. */
const readLiteral = (quoted: string, index: number): Step => {
  const codePoint = quoted.codePointAt(index) ?? 0;
  const width = codePoint > 0xffff ? 2 : 1;
  return { ok: true, bytes: utf8Bytes(codePoint), next: index + width };
};

/** One escape sequence starting at the backslash at `index`. */
const readEscape = (quoted: string, index: number): Step => {
  const letter = quoted[index + 1];
  const where = `at offset ${index}`;
  if (letter === undefined) return { ok: false, problem: `the string ends in a lone backslash ${where}` };
  const simple = SIMPLE_ESCAPES[letter];
  if (simple !== undefined) return { ok: true, bytes: [simple], next: index + 2 };
  const hexDigits = HEX_ESCAPE_DIGITS[letter];
  if (hexDigits !== undefined) return readHexEscape(quoted, index, letter, hexDigits);
  if (OCTAL_DIGIT.test(letter)) return readOctalEscape(quoted, index);
  if (letter === "'") return { ok: false, problem: `invalid escape \\' ${where} (only valid in single quotes)` };
  const shown = /^[\x21-\x7e]$/.test(letter) ? `\\${letter}` : "a backslash before a non-printable character";
  return { ok: false, problem: `invalid escape ${shown} ${where}` };
};

const readHexEscape = (quoted: string, index: number, letter: string, digitCount: number): Step => {
  const digits = quoted.slice(index + 2, index + 2 + digitCount);
  if (digits.length !== digitCount || !HEX_DIGITS.test(digits)) {
    return { ok: false, problem: `\\${letter} needs ${digitCount} hex digits at offset ${index}` };
  }
  const value = Number.parseInt(digits, 16);
  const next = index + 2 + digitCount;
  if (letter === "x") return { ok: true, bytes: [value], next };
  if (!isValidCodePoint(value)) {
    return { ok: false, problem: `\\${letter}${digits} at offset ${index} is not a valid Unicode code point` };
  }
  return { ok: true, bytes: utf8Bytes(value), next };
};

const readOctalEscape = (quoted: string, index: number): Step => {
  const digits = quoted.slice(index + 1, index + 4);
  if (digits.length !== 3 || ![...digits].every((digit) => OCTAL_DIGIT.test(digit))) {
    return { ok: false, problem: `an octal escape needs 3 octal digits at offset ${index}` };
  }
  const value = Number.parseInt(digits, 8);
  if (value > 0xff) return { ok: false, problem: `octal escape \\${digits} at offset ${index} is above \\377` };
  return { ok: true, bytes: [value], next: index + 4 };
};

/** Go's `utf8.ValidRune`: in range and not a surrogate half. */
const isValidCodePoint = (value: number): boolean => value <= MAX_CODE_POINT && !(value >= 0xd800 && value <= 0xdfff);

/** The UTF-8 encoding of a code point; a surrogate half (only possible from a lone one in the input) as U+FFFD. */
const utf8Bytes = (codePoint: number): number[] => {
  if (codePoint < 0x80) return [codePoint];
  if (codePoint < 0x800) return [0xc0 | (codePoint >> 6), 0x80 | (codePoint & 0x3f)];
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return [0xef, 0xbf, 0xbd];
  if (codePoint < 0x10000) {
    return [0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 0x3f), 0x80 | (codePoint & 0x3f)];
  }
  return [
    0xf0 | (codePoint >> 18),
    0x80 | ((codePoint >> 12) & 0x3f),
    0x80 | ((codePoint >> 6) & 0x3f),
    0x80 | (codePoint & 0x3f),
  ];
};
