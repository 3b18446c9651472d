import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { unquoteGoString } from "../../src/kube/unquoteGoString.js";

const raw = String.raw;

/**
 * A port of Go's `strconv.Quote`: `"` and `\` backslashed, printable runes as they are, `\a \b \f \n \r \t \v` by
 * name, other runes below U+0020 as `\xHH`, the rest as `\uHHHH` or `\UHHHHHHHH`. Printability follows Go's
 * `unicode.IsPrint` (letters, marks, numbers, punctuation, symbols and the ASCII space); where JavaScript's Unicode
 * tables differ from Go's, the result is still a valid Go literal of the same string, which is all a round trip needs.
 */
const goQuote = (value: string): string => {
  const named: Record<string, string> = {
    "\x07": "a",
    "\b": "b",
    "\f": "f",
    "\n": "n",
    "\r": "r",
    "\t": "t",
    "\v": "v",
  };
  const hex = (codePoint: number, width: number) => codePoint.toString(16).padStart(width, "0");
  let quoted = '"';
  for (const char of value) {
    const codePoint = char.codePointAt(0) ?? 0;
    if (char === '"' || char === "\\") quoted += `\\${char}`;
    else if (char === " " || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(char)) quoted += char;
    else if (named[char] !== undefined) quoted += `\\${named[char]}`;
    else if (codePoint < 0x20) quoted += `\\x${hex(codePoint, 2)}`;
    else if (codePoint < 0x10000) quoted += `\\u${hex(codePoint, 4)}`;
    else quoted += `\\U${hex(codePoint, 8)}`;
  }
  return `${quoted}"`;
};

const utf8 = (bytes: readonly number[]) => new TextDecoder("utf-8", { ignoreBOM: true }).decode(Uint8Array.from(bytes));

describe("unquoteGoString", () => {
  describe("reads what Go's strconv.Unquote reads (cases from Go's quote_test.go)", () => {
    it.each([
      [`""`, ""],
      [`"a"`, "a"],
      [`"abc"`, "abc"],
      [`"☺"`, "☺"],
      [`"hello world"`, "hello world"],
      [raw`"\u1234"`, "\u1234"],
      [raw`"\U00010111"`, "\u{10111}"],
      [raw`"\U0001011111"`, "\u{10111}11"],
      [raw`"\a\b\f\n\r\t\v\\\""`, '\x07\b\f\n\r\t\v\\"'],
      [`"'"`, "'"],
      ["``", ""],
      ["`a`", "a"],
      ["`abc`", "abc"],
      ["`☺`", "☺"],
      ["`hello world`", "hello world"],
      ["`\\xFF`", raw`\xFF`],
      ["`\\377`", raw`\377`],
      ["`\\`", "\\"],
      ["`\n`", "\n"],
      ["`\t`", "\t"],
      ["` `", " "],
      ["`a\rb`", "ab"],
      // Go's quotetests, read backwards.
      [raw`"\a\b\f\r\n\t\v"`, "\x07\b\f\r\n\t\v"],
      [raw`"\\"`, "\\"],
      [`"☺"`, "\u263a"],
      [raw`"\U0010ffff"`, "\u{10ffff}"],
      [raw`"\x04"`, "\x04"],
      [raw`"!\u00a0!\u2000!\u3000!"`, "!\u00a0!\u2000!\u3000!"],
    ])("%s unquotes to %j", (quoted, expected) => {
      expect(unquoteGoString(quoted)).toEqual({ ok: true, value: expected });
    });
  });

  describe("refuses what Go's strconv.Unquote refuses (Go's misquoted list)", () => {
    it.each([
      ``,
      `"`,
      `"a`,
      `"'`,
      `b"`,
      raw`"\"`,
      raw`"\9"`,
      raw`"\19"`,
      raw`"\129"`,
      raw`"\x1!"`,
      raw`"\U12345678"`,
      raw`"\z"`,
      "`",
      "`xxx",
      "``x\r",
      '`"',
      raw`"\'"`,
      '"\n"',
      '"\\n\n"',
      raw`"\udead"`,
      raw`"\ud83d\ude4f"`,
    ])("refuses %j", (quoted) => {
      expect(unquoteGoString(quoted)).toMatchObject({ ok: false, problem: expect.any(String) });
    });
  });

  it("refuses \\' inside double quotes, as Go does (it is only valid in rune literals)", () => {
    const result = unquoteGoString(raw`"it\'s"`);
    expect(result).toEqual({ ok: false, problem: raw`invalid escape \' at offset 3 (only valid in single quotes)` });
  });

  it("refuses single-quoted rune literals, which quote a character rather than a string", () => {
    expect(unquoteGoString("'a'")).toEqual({ ok: false, problem: "a single-quoted Go rune literal is not a string" });
  });

  it("refuses an unescaped line break and says where it is", () => {
    expect(unquoteGoString('"ab\ncd"')).toEqual({ ok: false, problem: "unescaped line break at offset 3" });
  });

  it("refuses text after the closing quote", () => {
    expect(unquoteGoString('"a"b"')).toMatchObject({
      ok: false,
      problem: expect.stringContaining("after the closing"),
    });
  });

  it("keeps a carriage return inside double quotes, as Go does", () => {
    expect(unquoteGoString('"a\rb"')).toEqual({ ok: true, value: "a\rb" });
  });

  describe("escapes", () => {
    it("decodes octal escapes up to \\377 and refuses \\400", () => {
      expect(unquoteGoString(raw`"\101\060"`)).toEqual({ ok: true, value: "A0" });
      expect(unquoteGoString(raw`"\400"`)).toMatchObject({
        ok: false,
        problem: expect.stringContaining("above \\377"),
      });
    });

    it("needs exactly three octal digits", () => {
      expect(unquoteGoString(raw`"\0"`)).toMatchObject({ ok: false });
      expect(unquoteGoString(raw`"\01"`)).toMatchObject({ ok: false });
    });

    it("accepts upper- and lower-case hex digits", () => {
      expect(unquoteGoString(raw`"\x4a\x4A\u00e9\u00E9"`)).toEqual({ ok: true, value: "JJéé" });
    });

    it("accepts \\U0010FFFF and refuses code points above it", () => {
      expect(unquoteGoString(raw`"\U0010FFFF"`)).toEqual({ ok: true, value: "\u{10ffff}" });
      expect(unquoteGoString(raw`"\U00110000"`)).toMatchObject({ ok: false });
    });

    it("refuses \\u and \\U for surrogate halves", () => {
      expect(unquoteGoString(raw`"\uD800"`)).toMatchObject({ ok: false });
      expect(unquoteGoString(raw`"\U0000DFFF"`)).toMatchObject({ ok: false });
    });

    it("treats \\x and octal escapes as raw bytes and decodes the bytes as UTF-8: \\xe2\\x82\\xac is €", () => {
      expect(unquoteGoString(raw`"\xe2\x82\xac"`)).toEqual({ ok: true, value: "€" });
      expect(unquoteGoString(raw`"\342\202\254"`)).toEqual({ ok: true, value: "€" });
      expect(unquoteGoString(raw`"\xe2\202\xac 5"`)).toEqual({ ok: true, value: "€ 5" });
    });

    it("mixes literal characters, \\u escapes and byte escapes in one string", () => {
      expect(unquoteGoString(raw`"é\xc3\xa9\u00e9"`)).toEqual({ ok: true, value: "ééé" });
    });

    it("turns bytes that are not UTF-8 into U+FFFD (Go keeps the raw bytes; JavaScript strings cannot)", () => {
      expect(unquoteGoString(raw`"\xFF"`)).toEqual({ ok: true, value: "\ufffd" });
      expect(unquoteGoString(raw`"\377"`)).toEqual({ ok: true, value: "\ufffd" });
      expect(unquoteGoString(raw`"abc\xffdef"`)).toEqual({ ok: true, value: "abc\ufffddef" });
      expect(unquoteGoString(raw`"\xe2\x82"`)).toEqual({ ok: true, value: "\ufffd" });
    });

    it("turns a lone surrogate in the input into U+FFFD, as Go does with invalid UTF-8 input", () => {
      expect(unquoteGoString('"a\ud800b"')).toEqual({ ok: true, value: "a\ufffdb" });
    });

    it("keeps a leading byte order mark written as an escape", () => {
      expect(unquoteGoString(raw`"\ufeffx"`)).toEqual({ ok: true, value: "\ufeffx" });
    });

    it("names a non-printable character after a backslash without echoing it", () => {
      expect(unquoteGoString('"\\\u0001"')).toEqual({
        ok: false,
        problem: "invalid escape a backslash before a non-printable character at offset 1",
      });
    });
  });

  describe("properties", () => {
    it("unquotes Go's quoting of any string back to that string", () => {
      fc.assert(
        fc.property(fc.string({ unit: "binary", maxLength: 40 }), (value) => {
          expect(unquoteGoString(goQuote(value))).toEqual({ ok: true, value });
        }),
        { numRuns: 500 },
      );
    });

    it("agrees with JSON for printable ASCII, where Go's quoting and JSON's coincide", () => {
      fc.assert(
        fc.property(
          fc.string({ unit: "binary-ascii" }).map((s) => s.replace(/[^\x20-\x7e]/g, "")),
          (value) => {
            expect(JSON.stringify(value)).toBe(goQuote(value));
            expect(unquoteGoString(JSON.stringify(value))).toEqual({ ok: true, value });
          },
        ),
      );
    });

    it("reads any bytes written as \\x or octal escapes as the UTF-8 decoding of those bytes", () => {
      const escaped = fc
        .uint8Array({ maxLength: 24 })
        .chain((bytes) =>
          fc.tuple(fc.constant(bytes), fc.array(fc.boolean(), { minLength: bytes.length, maxLength: bytes.length })),
        );
      fc.assert(
        fc.property(escaped, ([bytes, asOctal]) => {
          const body = [...bytes]
            .map((byte, i) =>
              asOctal[i] ? `\\${byte.toString(8).padStart(3, "0")}` : `\\x${byte.toString(16).padStart(2, "0")}`,
            )
            .join("");
          expect(unquoteGoString(`"${body}"`)).toEqual({ ok: true, value: utf8([...bytes]) });
        }),
      );
    });

    it("never throws, whatever the input", () => {
      const literalish = fc
        .string({
          unit: fc.constantFrom(
            '"',
            "`",
            "'",
            "\\",
            "x",
            "u",
            "U",
            "0",
            "3",
            "7",
            "8",
            "f",
            "F",
            "n",
            "\n",
            "\r",
            "\ud800",
            "é",
            "😀",
          ),
          maxLength: 30,
        })
        .map((body) => `"${body}`);
      fc.assert(
        fc.property(fc.oneof(fc.string({ unit: "binary" }), fc.string(), literalish), (input) => {
          const result = unquoteGoString(input);
          expect(typeof result.ok).toBe("boolean");
        }),
        { numRuns: 2000 },
      );
    });
  });
});
