// The Redactor at its edges: secrets too short for the run search (8 to 15 characters, a JWT's short segments), runs
// at the very end of a text or making up the whole text, the length bounds of add() and hold(), and an error's stack,
// which is rewritten apart from its message. Each case is one a redaction could miss while the common cases pass.
import { describe, expect, it } from "vitest";
import { Redactor } from "../../src/base/logging.js";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

const redactorOf = (...secrets: string[]) => {
  const redactor = new Redactor();
  redactor.add(...secrets);
  return redactor;
};

describe("a Redactor, on secrets shorter than a run of 16 characters", () => {
  it("redacts a whole secret of 8 to 15 characters, which the run search cannot see", () => {
    for (const secret of ["Pa55w0rd", "Pa55w0rd-123456"]) {
      expect(redactorOf(secret).text(`token ${secret} refused`)).toBe("token [redacted] refused");
    }
  });

  it("holds a token of exactly 8 characters, and ignores one of 7, which would redact ordinary words", () => {
    const redactor = new Redactor();
    redactor.hold("word-07");
    redactor.hold("Tok3n-08");
    expect(redactor.text("short word-07, held Tok3n-08")).toBe("short word-07, held [redacted]");
  });

  it("redacts a JWT segment of 8 to 15 characters on its own", () => {
    // A header of 20 characters, a payload of 15, a signature of 8: only the header is long enough for a run.
    const payload = "eyJzdWIiOiJhIn0";
    const signature = "c2lnbmF0";
    const redactor = redactorOf(`eyJhbGciOiJIUzI1NiJ9.${payload}.${signature}`);
    expect(redactor.text(`payload ${payload}, signature ${signature}`)).toBe(
      "payload [redacted], signature [redacted]",
    );
  });

  it("does not redact a part of a dotted secret shorter than 8 characters on its own", () => {
    const redactor = redactorOf("v1.AbCdEfGhIjKlMnOpQrSt");
    expect(redactor.text("api v1 refused the token")).toBe("api v1 refused the token");
  });
});

describe("a Redactor, on runs at the edges of a text", () => {
  it("redacts a run of 16 characters that ends the text", () => {
    expect(redactorOf(SECRET).text(`cut: ${SECRET.slice(3, 19)}`)).toBe("cut: [redacted]");
  });

  it("redacts a longer run that ends the text up to its last character", () => {
    expect(redactorOf(SECRET).text(`cut: ${SECRET.slice(3, 30)}`)).toBe("cut: [redacted]");
  });

  it("redacts a text that is a run of 16 characters and nothing else", () => {
    expect(redactorOf(SECRET).text(SECRET.slice(5, 21))).toBe("[redacted]");
  });
});

describe("a Redactor, on an error's stack", () => {
  it("removes a secret from a stack already written, and changes nothing else in it", () => {
    const error = new Error(`refused ${SECRET}`);
    // Node writes the stack, message included, when the error is made (with source maps, when it is first read).
    const written = String(error.stack);
    redactorOf(SECRET).error(error);
    expect(error.stack).toBe(written.replace(SECRET, "[redacted]"));
  });

  it("removes URL user information from a written stack, keeping the URL's scheme and host", () => {
    const error = new Error("proxy http://admin:hunter2@proxy.internal:3128/ refused");
    const written = String(error.stack);
    new Redactor().error(error);
    expect(error.stack).toBe(written.replace("admin:hunter2@", ""));
  });

  it("redacts an error whose stack was dropped, leaving the stack absent", () => {
    const error = new Error(`refused ${SECRET}`);
    delete error.stack;
    redactorOf(SECRET).error(error);
    expect(error.message).toBe("refused [redacted]");
    expect(error.stack).toBeUndefined();
  });

  it("leaves the rewritten fields ordinary properties: the caller can still set and delete them", () => {
    const error = Object.assign(new Error(`refused ${SECRET}`), { fix: `rotate ${SECRET}` });
    redactorOf(SECRET).error(error);
    // ES modules run in strict mode, where writing or deleting a read-only property throws.
    error.message = `wrapped: ${error.message}`;
    error.stack = `${error.message}\n    at caller`;
    expect(delete (error as { fix?: string }).fix).toBe(true);
    expect(delete error.stack).toBe(true);
    expect(error.message).toBe("wrapped: refused [redacted]");
    expect([Object.hasOwn(error, "fix"), Object.hasOwn(error, "stack")]).toEqual([false, false]);
  });

  it("passes on undefined and null thrown as errors, unchanged", () => {
    const redactor = redactorOf(SECRET);
    expect(redactor.error(undefined)).toBeUndefined();
    expect(redactor.error(null)).toBeNull();
  });
});
