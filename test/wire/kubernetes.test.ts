import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  declaredRoleFromAnnotationsText,
  parseRoleReference,
  ROLE_ANNOTATION,
  sameRole,
} from "../../src/wire/kubernetes.js";

const raw = String.raw;

/**
 * The annotations file as the kubelet writes it for `fieldPath: metadata.annotations`: keys sorted, values quoted
 * with Go's `%q`, lines joined by `\n`, no newline after the last line.
 */
const KUBELET_FILE = [
  raw`iam.amazonaws.com/role="arn:aws:iam::123456789012:role/orders-reader"`,
  raw`kubectl.kubernetes.io/last-applied-configuration="{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"orders\"}}\n"`,
  raw`kubernetes.io/config.seen="2026-11-27T21:00:00.000000000Z"`,
  raw`kubernetes.io/config.source="api"`,
  raw`prometheus.io/scrape="true"`,
].join("\n");

describe("the downward-API annotations file", () => {
  it.each([
    [
      "decodes Go escapes that JSON does not know: \\x41, \\a, \\U0001F600, octal",
      raw`iam.amazonaws.com/role="\x41\a\U0001F600\u263a\101\tend"`,
      "A\x07😀☺A\tend",
    ],
    ["reads an `=` inside a value as part of the value", 'iam.amazonaws.com/role="a=b&c=d"', "a=b&c=d"],
    [
      "reads CRLF line endings, a trailing newline and blank lines, and keys in any order",
      'z.example.com/x="1"\r\n\r\niam.amazonaws.com/role="2"\r\n',
      "2",
    ],
  ])("%s", (_, text, role) => {
    expect(declaredRoleFromAnnotationsText(text)).toEqual({ kind: "role", role });
  });

  describe("refuses malformed lines and names the line", () => {
    it.each([
      ['a="1"\nb=2', 2, 'the value of b is not quoted (the kubelet writes key="value")'],
      ['a="1"\n\njust text', 3, 'the line is not key="value": it has no "="'],
      ['a="1"\n="1"', 2, 'the line is not key="value": the key is empty'],
      ['a="1"\na b="1"', 2, 'the line is not key="value": the key holds a space or a quote'],
      [
        raw`a="it\'s"`,
        1,
        raw`the value of a is not a valid Go string: invalid escape \' at offset 3 (only valid in single quotes)`,
      ],
      [
        'a="1" # comment',
        1,
        "the value of a is not a valid Go string: unexpected text after the closing double quote at offset 2",
      ],
      ['a="unterminated', 1, "the value of a is not a valid Go string: the string has no closing double quote"],
      ['a="1"\r\nb="2"\r\na="3"', 3, "the key a appears twice"],
    ])("%j: line %i", (text, line, problem) => {
      expect(declaredRoleFromAnnotationsText(text)).toEqual({ kind: "malformed", problem, line });
    });
  });

  it("never repeats a value in a problem", () => {
    const parsed = declaredRoleFromAnnotationsText(raw`example.com/secret="do-not-echo-me\q"`);
    expect(parsed.kind).toBe("malformed");
    expect(JSON.stringify(parsed)).not.toContain("do-not-echo-me");
  });

  it("reads any annotations written the way the kubelet writes them (printable ASCII values)", () => {
    const key = fc
      .stringMatching(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z]{2,6}\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/)
      .filter((k) => k !== ROLE_ANNOTATION);
    const value = fc.string({ unit: "binary-ascii" }).map((s) => s.replace(/[^\x20-\x7e]/g, ""));
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 8 }), value, (others, role) => {
        const annotations: Record<string, string> = { ...others, [ROLE_ANNOTATION]: role };
        // JSON.stringify quotes printable ASCII exactly as Go's %q does.
        const file = Object.keys(annotations)
          .sort()
          .map((k) => `${k}=${JSON.stringify(annotations[k])}`)
          .join("\n");
        const expected = role.trim() === "" ? { kind: "noRole" } : { kind: "role", role: role.trim() };
        expect(declaredRoleFromAnnotationsText(file)).toEqual(expected);
      }),
    );
  });

  it("never throws, whatever the text", () => {
    const lineish = fc
      .array(fc.string({ unit: fc.constantFrom("a", "/", "=", '"', "`", "\\", "x", " ", "\r", "\n", "\ufeff") }), {
        maxLength: 6,
      })
      .map((lines) => lines.join("\n"));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary" }), lineish), (text) => {
        expect(["role", "noRole", "malformed"]).toContain(declaredRoleFromAnnotationsText(text).kind);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("the role a pod declares (declaredRoleFromAnnotationsText)", () => {
  it.each([
    [
      `finds the ${ROLE_ANNOTATION} annotation in a file written by the kubelet`,
      KUBELET_FILE,
      "arn:aws:iam::123456789012:role/orders-reader",
    ],
    [
      "reads the annotation when it is the only one in the file",
      'iam.amazonaws.com/role="orders-reader"',
      "orders-reader",
    ],
    ["trims whitespace around the annotation's value", raw`iam.amazonaws.com/role=" orders-reader\t"`, "orders-reader"],
  ])("%s", (_, text, role) => {
    expect(declaredRoleFromAnnotationsText(text)).toEqual({ kind: "role", role });
  });

  it("says noRole when the pod has annotations but not the role annotation", () => {
    expect(declaredRoleFromAnnotationsText('kubernetes.io/config.source="api"\nprometheus.io/scrape="true"\n')).toEqual(
      {
        kind: "noRole",
      },
    );
  });

  it.each([
    ["an empty value", 'iam.amazonaws.com/role=""'],
    ["a whitespace-only value", raw`iam.amazonaws.com/role="  \t"`],
    ["an empty file", ""],
    ["a whitespace-only file", "  \r\n\n"],
  ])("says noRole for %s", (_, text) => {
    expect(declaredRoleFromAnnotationsText(text)).toEqual({ kind: "noRole" });
  });

  describe("a file that holds only the annotation's raw value (fieldPath: metadata.annotations['iam.amazonaws.com/role'])", () => {
    it.each([
      ["orders-reader", "orders-reader"],
      ["orders-reader\n", "orders-reader"],
      ["orders-reader\r\n", "orders-reader"],
      ["  orders-reader  \n\n", "orders-reader"],
      ["team/orders-reader", "team/orders-reader"],
      ["arn:aws:iam::123456789012:role/orders-reader", "arn:aws:iam::123456789012:role/orders-reader"],
      ["arn:aws:iam::123456789012:role/team/orders-reader\n", "arn:aws:iam::123456789012:role/team/orders-reader"],
      ["\ufefforders-reader\n", "orders-reader"],
      ["billing=orders", "billing=orders"],
    ])("%j is the role %j", (text, role) => {
      expect(declaredRoleFromAnnotationsText(text)).toEqual({ kind: "role", role });
    });
  });

  describe("malformed files", () => {
    it("reports an unquoted role annotation rather than reading it as a raw role", () => {
      expect(declaredRoleFromAnnotationsText("iam.amazonaws.com/role=orders-reader\n")).toEqual({
        kind: "malformed",
        problem: 'the value of iam.amazonaws.com/role is not quoted (the kubelet writes key="value")',
        line: 1,
      });
    });

    it("reports a bad escape in the role annotation with its line", () => {
      const text = `kubernetes.io/config.source="api"\n${raw`iam.amazonaws.com/role="orders\-reader"`}`;
      expect(declaredRoleFromAnnotationsText(text)).toMatchObject({ kind: "malformed", line: 2 });
    });

    it("reports a malformed line even when it is not the role annotation", () => {
      const text = `${raw`iam.amazonaws.com/role="orders-reader"`}\nkubernetes.io/config.source=api`;
      expect(declaredRoleFromAnnotationsText(text)).toMatchObject({ kind: "malformed", line: 2 });
    });

    it("does not take two lines of text for a raw value", () => {
      expect(declaredRoleFromAnnotationsText("orders-reader\nbilling-reader\n")).toEqual({
        kind: "malformed",
        problem: 'the line is not key="value": it has no "="',
        line: 1,
      });
    });
  });
});

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

/**
 * A Go literal read as the value of the role annotation, the only place the library reads one: `{ ok: true, value }`
 * with the value trimmed (so compare with the trimmed string), or `{ ok: false, problem }` with the problem of the value
 * (or of the line).
 */
const unquote = (quoted: string) => {
  const found = declaredRoleFromAnnotationsText(`${ROLE_ANNOTATION}=${quoted}`);
  if (found.kind === "malformed") {
    return {
      ok: false,
      problem: found.problem.replace(`the value of ${ROLE_ANNOTATION} is not a valid Go string: `, ""),
    };
  }
  return { ok: true, value: found.kind === "role" ? found.role : "" };
};
/** What {@link unquote} gives for a literal of `value`. */
const read = (value: string) => ({ ok: true, value: value.trim() });

describe("Go string literals in annotation values (Go's strconv.Unquote)", () => {
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
      // A value the kubelet writes for kubectl.kubernetes.io/last-applied-configuration.
      [
        raw`"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"orders\"}}\n"`,
        '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"orders"}}\n',
      ],
    ])("%s unquotes to %j", (quoted, expected) => {
      expect(unquote(quoted)).toEqual(read(expected));
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
      expect(unquote(quoted)).toMatchObject({ ok: false, problem: expect.any(String) });
    });
  });

  it("refuses \\' inside double quotes, as Go does (it is only valid in rune literals)", () => {
    const result = unquote(raw`"it\'s"`);
    expect(result).toEqual({ ok: false, problem: raw`invalid escape \' at offset 3 (only valid in single quotes)` });
  });

  it("refuses single-quoted rune literals, which quote a character rather than a string", () => {
    expect(unquote("'a'")).toEqual({
      ok: false,
      problem: `the value of ${ROLE_ANNOTATION} is not quoted (the kubelet writes key="value")`,
    });
  });

  it("refuses an unescaped line break, which ends the line, and a raw literal over two lines", () => {
    expect(unquote('"ab\ncd"')).toEqual({ ok: false, problem: "the string has no closing double quote" });
    expect(unquote("`ab\ncd`")).toEqual({ ok: false, problem: "the raw string has no closing backquote" });
  });

  it("refuses a lone quote, a lone backslash at the end and text after a raw literal, saying where", () => {
    expect(unquote('"')).toEqual({ ok: false, problem: "a quoted string needs an opening and a closing quote" });
    expect(unquote('"ab\\')).toEqual({ ok: false, problem: "the string ends in a lone backslash at offset 3" });
    expect(unquote("`a`b")).toEqual({ ok: false, problem: "unexpected text after the closing backquote at offset 2" });
    expect(unquote('"\\x4"')).toEqual({ ok: false, problem: "\\x needs 2 hex digits at offset 1" });
    expect(unquote('"\\uD800"')).toEqual({
      ok: false,
      problem: "\\uD800 at offset 1 is not a valid Unicode code point",
    });
    expect(unquote('"\\01"')).toEqual({ ok: false, problem: "an octal escape needs 3 octal digits at offset 1" });
    expect(unquote('"\\400"')).toEqual({ ok: false, problem: "octal escape \\400 at offset 1 is above \\377" });
    expect(unquote('"\\z"')).toEqual({ ok: false, problem: "invalid escape \\z at offset 1" });
  });

  it("refuses text after the closing quote", () => {
    expect(unquote('"a"b"')).toMatchObject({
      ok: false,
      problem: expect.stringContaining("after the closing"),
    });
  });

  it("keeps a carriage return inside double quotes, as Go does", () => {
    expect(unquote('"a\rb"')).toEqual(read("a\rb"));
  });

  describe("escapes", () => {
    it("decodes octal escapes up to \\377 and refuses \\400", () => {
      expect(unquote(raw`"\101\060"`)).toEqual(read("A0"));
      expect(unquote(raw`"\400"`)).toMatchObject({
        ok: false,
        problem: expect.stringContaining("above \\377"),
      });
    });

    it("needs exactly three octal digits", () => {
      expect(unquote(raw`"\0"`)).toMatchObject({ ok: false });
      expect(unquote(raw`"\01"`)).toMatchObject({ ok: false });
    });

    it("accepts upper- and lower-case hex digits", () => {
      expect(unquote(raw`"\x4a\x4A\u00e9\u00E9"`)).toEqual(read("JJéé"));
    });

    it("accepts \\U0010FFFF and refuses code points above it", () => {
      expect(unquote(raw`"\U0010FFFF"`)).toEqual(read("\u{10ffff}"));
      expect(unquote(raw`"\U00110000"`)).toMatchObject({ ok: false });
    });

    it("refuses \\u and \\U for surrogate halves", () => {
      expect(unquote(raw`"\uD800"`)).toMatchObject({ ok: false });
      expect(unquote(raw`"\U0000DFFF"`)).toMatchObject({ ok: false });
    });

    it("treats \\x and octal escapes as raw bytes and decodes the bytes as UTF-8: \\xe2\\x82\\xac is €", () => {
      expect(unquote(raw`"\xe2\x82\xac"`)).toEqual(read("€"));
      expect(unquote(raw`"\342\202\254"`)).toEqual(read("€"));
      expect(unquote(raw`"\xe2\202\xac 5"`)).toEqual(read("€ 5"));
    });

    it("mixes literal characters, \\u escapes and byte escapes in one string", () => {
      expect(unquote(raw`"é\xc3\xa9\u00e9"`)).toEqual(read("ééé"));
    });

    it("turns bytes that are not UTF-8 into U+FFFD (Go keeps the raw bytes; JavaScript strings cannot)", () => {
      expect(unquote(raw`"\xFF"`)).toEqual(read("\ufffd"));
      expect(unquote(raw`"\377"`)).toEqual(read("\ufffd"));
      expect(unquote(raw`"abc\xffdef"`)).toEqual(read("abc\ufffddef"));
      expect(unquote(raw`"\xe2\x82"`)).toEqual(read("\ufffd"));
    });

    it("turns a lone surrogate in the input into U+FFFD, as Go does with invalid UTF-8 input", () => {
      expect(unquote('"a\ud800b"')).toEqual(read("a\ufffdb"));
    });

    it("reads a leading byte order mark written as an escape (then trimmed, as the role is)", () => {
      expect(unquote(raw`"\ufeffx"`)).toEqual(read("\ufeffx"));
    });

    it("names a non-printable character after a backslash without echoing it", () => {
      expect(unquote('"\\\u0001"')).toEqual({
        ok: false,
        problem: "invalid escape a backslash before a non-printable character at offset 1",
      });
    });
  });

  describe("properties", () => {
    it("unquotes Go's quoting of any string back to that string", () => {
      fc.assert(
        fc.property(fc.string({ unit: "binary", maxLength: 40 }), (value) => {
          expect(unquote(goQuote(value))).toEqual(read(value));
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
            expect(unquote(JSON.stringify(value))).toEqual(read(value));
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
          expect(unquote(`"${body}"`)).toEqual(read(utf8([...bytes])));
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
          const result = unquote(input);
          expect(typeof result.ok).toBe("boolean");
        }),
        { numRuns: 2000 },
      );
    });
  });
});

const ARN = "arn:aws:iam::123456789012:role/team/orders-reader";

describe("role references (parseRoleReference)", () => {
  it.each([
    ["reads a bare name, without a path", "orders-reader", { form: "name", name: "orders-reader" }],
    ["ignores surrounding whitespace", "  orders-reader\n", { form: "name", name: "orders-reader" }],
    [
      "accepts every character IAM allows in a role name: letters, digits and +=,.@_-",
      "Svc+Role=1,a.b@c_d-e",
      { form: "name", name: "Svc+Role=1,a.b@c_d-e" },
    ],
  ])("%s", (_, text, expected) => {
    expect(parseRoleReference(text)).toEqual(expected);
  });

  it.each([
    ["team/orders-reader", "/team/"],
    ["/team/orders-reader", "/team/"],
    ["team/eu/orders-reader", "/team/eu/"],
    ["/orders-reader", "/"],
  ])("reads %j as a name under the IAM path %j", (text, path) => {
    expect(parseRoleReference(text)).toEqual({ form: "path", name: "orders-reader", path });
  });

  it("reads a role ARN with its path, account and partition", () => {
    expect(parseRoleReference(ARN)).toEqual({
      form: "roleArn",
      name: "orders-reader",
      path: "/team/",
      accountId: "123456789012",
      partition: "aws",
      arn: ARN,
    });
  });

  it("gives the root path / for a role ARN without a path", () => {
    expect(parseRoleReference("arn:aws:iam::123456789012:role/orders-reader")).toMatchObject({ path: "/" });
  });

  it.each(["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-eusc"])(
    "reads ARNs in the %s partition",
    (partition) => {
      expect(parseRoleReference(`arn:${partition}:iam::123456789012:role/orders-reader`)).toMatchObject({
        form: "roleArn",
        partition,
        name: "orders-reader",
      });
    },
  );

  it("reads an assumed-role ARN as its role, without a path (STS drops it)", () => {
    const arn = "arn:aws:sts::123456789012:assumed-role/orders-reader/botocore-session-1764277200";
    expect(parseRoleReference(arn)).toEqual({
      form: "assumedRoleArn",
      name: "orders-reader",
      accountId: "123456789012",
      partition: "aws",
      arn,
    });
  });

  it.each([
    ["empty text", ""],
    ["whitespace", "   "],
    ["a user ARN", "arn:aws:iam::123456789012:user/alice"],
    ["an instance-profile ARN", "arn:aws:iam::123456789012:instance-profile/nodes"],
    ["an S3 ARN", "arn:aws:s3:::bucket/key"],
    ["an ARN with a region", "arn:aws:iam:us-east-1:123456789012:role/orders-reader"],
    ["an ARN with a short account id", "arn:aws:iam::1:role/orders-reader"],
    ["an ARN in an unknown partition", "arn:azure:iam::123456789012:role/orders-reader"],
    ["an ARN without a role name", "arn:aws:iam::123456789012:role/"],
    ["an assumed-role ARN without a session", "arn:aws:sts::123456789012:assumed-role/orders-reader"],
    ["an assumed-role ARN with a one-character session", "arn:aws:sts::123456789012:assumed-role/orders-reader/s"],
    ["a trailing slash", "team/orders-reader/"],
    ["an empty path segment", "team//orders-reader"],
    ["a space in the name", "orders reader"],
    ["a name of 65 characters", "r".repeat(65)],
    ["a quoted name", '"orders-reader"'],
  ])("refuses %s", (_, text) => {
    expect(parseRoleReference(text)).toBeUndefined();
  });

  it("accepts a name of 64 characters", () => {
    expect(parseRoleReference("r".repeat(64))).toMatchObject({ name: "r".repeat(64) });
  });

  it("never throws, whatever the text", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom("arn:", "aws", ":", "/", "iam", "role", "1", "a") })),
        (text) => {
          parseRoleReference(text);
        },
      ),
    );
  });
});

describe("whether two references name the same role (sameRole)", () => {
  it.each([
    ["the same bare name", "orders-reader", "orders-reader"],
    ["names that differ only in case", "Orders-Reader", "orders-reader"],
    ["a bare name and an ARN under any path", "orders-reader", ARN],
    ["a path and the ARN with that path", "team/orders-reader", ARN],
    ["a path with a leading slash and the ARN with that path", "/team/orders-reader", ARN],
    [
      "an ARN and the assumed-role ARN of a session of it",
      ARN,
      "arn:aws:sts::123456789012:assumed-role/orders-reader/s1",
    ],
    ["a bare name and an assumed-role ARN", "orders-reader", "arn:aws:sts::123456789012:assumed-role/orders-reader/s1"],
  ])("matches %s", (_, a, b) => {
    expect(sameRole(a, b)).toBe(true);
    expect(sameRole(b, a)).toBe(true);
  });

  it.each([
    ["different names", "orders-reader", "orders-writer"],
    ["different paths when both give one", "other/orders-reader", ARN],
    ["the root path and another path", "/orders-reader", ARN],
    ["different accounts", ARN, "arn:aws:iam::210987654321:role/team/orders-reader"],
    ["different partitions", ARN, "arn:aws-cn:iam::123456789012:role/team/orders-reader"],
    ["an assumed-role ARN in another account", ARN, "arn:aws:sts::210987654321:assumed-role/orders-reader/s1"],
    ["a side that is not a role reference", "orders-reader", "arn:aws:iam::123456789012:user/orders-reader"],
    ["two empty strings", "", ""],
  ])("does not match %s", (_, a, b) => {
    expect(sameRole(a, b)).toBe(false);
    expect(sameRole(b, a)).toBe(false);
  });

  it("is symmetric and reflexive for every role reference", () => {
    const reference = fc.oneof(
      fc.constantFrom("orders-reader", "Orders-Reader", "team/orders-reader", "/orders-reader", ARN, "orders-writer"),
      fc.constantFrom(
        "arn:aws:iam::210987654321:role/orders-reader",
        "arn:aws:sts::123456789012:assumed-role/orders-reader/s1",
      ),
    );
    fc.assert(
      fc.property(reference, reference, (a, b) => {
        expect(sameRole(a, a)).toBe(true);
        expect(sameRole(a, b)).toBe(sameRole(b, a));
      }),
    );
  });
});

describe("annotation lines and role paths at their edges", () => {
  it("ignores spaces around a line", () => {
    expect(declaredRoleFromAnnotationsText(`  ${ROLE_ANNOTATION}="orders-reader"  \n`)).toEqual({
      kind: "role",
      role: "orders-reader",
    });
  });

  it("an unquoted value holding a space is named as unquoted: the key itself is fine", () => {
    expect(declaredRoleFromAnnotationsText("example.com/team=orders and billing\n")).toEqual({
      kind: "malformed",
      problem: 'the value of example.com/team is not quoted (the kubelet writes key="value")',
      line: 1,
    });
  });

  it("drops a byte-order mark only at the start of the file: one inside a value stays", () => {
    expect(declaredRoleFromAnnotationsText(`${ROLE_ANNOTATION}="orders\uFEFF-reader"\n`)).toEqual({
      kind: "role",
      role: "orders\uFEFF-reader",
    });
  });

  it("accepts a role path of exactly 512 characters and refuses one of 513", () => {
    const pathOf = (length: number) => `${"p".repeat(length - 2)}/`;
    const at512 = parseRoleReference(`arn:aws:iam::123456789012:role/${pathOf(512)}orders-reader`);
    const at513 = parseRoleReference(`arn:aws:iam::123456789012:role/${pathOf(513)}orders-reader`);

    expect(at512?.path).toHaveLength(512);
    expect(at513).toBeUndefined();
  });
});
