import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { declaredRoleFromAnnotationsText, parseAnnotations, ROLE_ANNOTATION } from "../../src/kube/annotationsFile.js";

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

describe("parseAnnotations", () => {
  it("reads every annotation of a file written by the kubelet", () => {
    const parsed = parseAnnotations(KUBELET_FILE);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(Object.fromEntries(parsed.annotations)).toEqual({
      "iam.amazonaws.com/role": "arn:aws:iam::123456789012:role/orders-reader",
      "kubectl.kubernetes.io/last-applied-configuration":
        '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"orders"}}\n',
      "kubernetes.io/config.seen": "2026-11-27T21:00:00.000000000Z",
      "kubernetes.io/config.source": "api",
      "prometheus.io/scrape": "true",
    });
  });

  it("decodes Go escapes that JSON does not know: \\x41, \\a, \\U0001F600, octal", () => {
    const parsed = parseAnnotations(raw`example.com/escapes="\x41\a\U0001F600\u263a\101\tend"`);
    expect(parsed).toEqual({ ok: true, annotations: new Map([["example.com/escapes", "A\x07😀☺A\tend"]]) });
  });

  it("reads an `=` inside a value as part of the value", () => {
    expect(parseAnnotations('example.com/query="a=b&c=d"')).toEqual({
      ok: true,
      annotations: new Map([["example.com/query", "a=b&c=d"]]),
    });
  });

  it("reads CRLF line endings, a trailing newline and blank lines", () => {
    const parsed = parseAnnotations('a.example.com/x="1"\r\n\r\nb.example.com/y="2"\r\n');
    expect(parsed).toEqual({
      ok: true,
      annotations: new Map([
        ["a.example.com/x", "1"],
        ["b.example.com/y", "2"],
      ]),
    });
  });

  it("reads an empty file as a pod without annotations", () => {
    expect(parseAnnotations("")).toEqual({ ok: true, annotations: new Map() });
  });

  it("does not require the keys to be sorted", () => {
    expect(parseAnnotations('z="1"\na="2"')).toMatchObject({ ok: true });
  });

  describe("refuses malformed lines and names the line", () => {
    it.each([
      ['a="1"\nb=2', 2, 'the value of b is not quoted (the kubelet writes key="value")'],
      ['a="1"\n\njust text', 3, 'the line is not key="value": it has no "="'],
      ['="1"', 1, 'the line is not key="value": the key is empty'],
      ['a b="1"', 1, 'the line is not key="value": the key holds a space or a quote'],
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
      expect(parseAnnotations(text)).toEqual({ ok: false, problem, line });
    });
  });

  it("never repeats a value in a problem", () => {
    const parsed = parseAnnotations(raw`example.com/secret="do-not-echo-me\q"`);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).not.toContain("do-not-echo-me");
  });

  it("reads back any annotations written the way the kubelet writes them (printable ASCII values)", () => {
    const key = fc.stringMatching(
      /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z]{2,6}\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/,
    );
    const value = fc.string({ unit: "binary-ascii" }).map((s) => s.replace(/[^\x20-\x7e]/g, ""));
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 8 }), (annotations) => {
        // JSON.stringify quotes printable ASCII exactly as Go's %q does.
        const file = Object.keys(annotations)
          .sort()
          .map((k) => `${k}=${JSON.stringify(annotations[k])}`)
          .join("\n");
        expect(parseAnnotations(file)).toEqual({ ok: true, annotations: new Map(Object.entries(annotations)) });
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
        expect(typeof parseAnnotations(text).ok).toBe("boolean");
        expect(["role", "noRole", "malformed"]).toContain(declaredRoleFromAnnotationsText(text).kind);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("declaredRoleFromAnnotationsText", () => {
  it(`finds the ${ROLE_ANNOTATION} annotation in a file written by the kubelet`, () => {
    expect(declaredRoleFromAnnotationsText(KUBELET_FILE)).toEqual({
      kind: "role",
      role: "arn:aws:iam::123456789012:role/orders-reader",
    });
  });

  it("reads the annotation when it is the only one in the file", () => {
    expect(declaredRoleFromAnnotationsText('iam.amazonaws.com/role="orders-reader"')).toEqual({
      kind: "role",
      role: "orders-reader",
    });
  });

  it("trims whitespace around the annotation's value", () => {
    expect(declaredRoleFromAnnotationsText(raw`iam.amazonaws.com/role=" orders-reader\t"`)).toEqual({
      kind: "role",
      role: "orders-reader",
    });
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
