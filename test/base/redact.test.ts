// What is safe to put in a log line or an error: URLs without credentials or queries, remote text on one line,
// secrets replaced.
import { describe, expect, it } from "vitest";
import { displayUrl, quoteRemoteText, redactSecrets } from "../../src/base/logging.js";

describe("displayUrl", () => {
  it("drops the user, password, query and fragment of a URL given as text or as a URL", () => {
    expect(displayUrl("http://user:pass@169.254.170.23:80/v1/credentials?token=abc#x")).toBe(
      "http://169.254.170.23/v1/credentials",
    );
    expect(displayUrl(new URL("https://sts.amazonaws.com:8443/path?q=1"))).toBe("https://sts.amazonaws.com:8443/path");
  });

  it("says a text that is not a URL is an invalid URL rather than quoting it", () => {
    expect(displayUrl("http://[::1")).toBe("(an invalid URL)");
    expect(displayUrl("")).toBe("(an invalid URL)");
  });
});

describe("redactSecrets", () => {
  it("replaces every occurrence of every secret", () => {
    expect(redactSecrets("key s3cr3t and s3cr3t, token t0k3n-value", ["s3cr3t", "t0k3n-value"])).toBe(
      "key [redacted] and [redacted], token [redacted]",
    );
  });

  it("ignores missing secrets and ones shorter than 4 characters, which would redact ordinary words", () => {
    expect(redactSecrets("the role is abc", [undefined, "abc", "", "the"])).toBe("the role is abc");
    expect(redactSecrets("the role is abcd", ["abcd"])).toBe("the role is [redacted]");
  });
});

describe("quoteRemoteText", () => {
  it("puts remote text on one line, without control characters", () => {
    expect(quoteRemoteText("  line one\r\nline\ttwo\u0007\u007fend  ")).toBe("line one line two end");
  });

  it("cuts text longer than the limit, marking the cut, and keeps text at the limit whole", () => {
    expect(quoteRemoteText("abcdef", 4)).toBe("abcd…");
    expect(quoteRemoteText("abcd", 4)).toBe("abcd");
    expect(quoteRemoteText("x".repeat(401))).toBe(`${"x".repeat(400)}…`);
  });
});

describe("displayUrl with a text that only looks like a URL", () => {
  it("does not show user:password@host, which parses as a URL of the scheme user:", () => {
    expect(displayUrl("user:hunter2-password@sts.internal")).toBe("(a user: URL, not shown)");
  });
});
