// The one redaction step every output of a provider goes through, on its own: which secrets it remembers, what it
// removes from a text, and which fields of an error it rewrites.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { REMEMBERED_SECRETS, Redactor } from "../../src/base/logging.js";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const JWT =
  "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6b3JkZXJzOmFwaSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";

const redactorOf = (...secrets: string[]) => {
  const redactor = new Redactor();
  redactor.add(...secrets);
  return redactor;
};

describe("a Redactor", () => {
  it("leaves text alone while it knows no secret, but for URL user information and unsafe characters", () => {
    const redactor = new Redactor();
    expect(redactor.text("plain text, 16+ characters long")).toBe("plain text, 16+ characters long");
    expect(redactor.text("see http://user:pass@proxy.internal/path")).toBe("see http://proxy.internal/path");
    expect(redactor.text("a\u001b[31mb\u009bc\u202ed\r\ne")).toBe("a [31mb c d e");
  });

  it("remembers the most recent REMEMBERED_SECRETS secrets, so a provider refreshed for months does not grow", () => {
    // Distinct throughout, so that no 16-character run of one is in another.
    const secrets = Array.from({ length: REMEMBERED_SECRETS + 10 }, () => randomBytes(30).toString("base64url"));
    const redactor = redactorOf(...secrets);
    const kept = secrets.slice(-REMEMBERED_SECRETS);
    expect(kept.map((secret) => redactor.text(`x ${secret} y`))).toEqual(kept.map(() => "x [redacted] y"));
    expect(redactor.text(`x ${secrets[0]} y`)).not.toContain("[redacted]");
  });

  it("holds a secret given to hold() until release(), and keeps those given to add()", () => {
    const redactor = redactorOf(SECRET);
    redactor.hold(JWT);
    expect(redactor.text(`token ${JWT}, key ${SECRET}`)).toBe("token [redacted], key [redacted]");
    redactor.release();
    expect(redactor.text(`token ${JWT}`)).toBe(`token ${JWT}`);
    expect(redactor.text(`key ${SECRET}`)).toBe("key [redacted]");
  });

  it("ignores values shorter than 8 characters, which would redact ordinary words", () => {
    const redactor = redactorOf("secret1", "", undefined as unknown as string);
    expect(redactor.text("the secret1 word")).toBe("the secret1 word");
  });

  it("redacts a whole secret wherever it appears", () => {
    expect(redactorOf(SECRET).text(`key=${SECRET}; again ${SECRET}`)).toBe("key=[redacted]; again [redacted]");
  });

  it("redacts each segment of a JWT on its own", () => {
    const [header, payload, signature] = JWT.split(".");
    const redactor = redactorOf(JWT);
    expect(redactor.text(`sig ${signature} end`)).toBe("sig [redacted] end");
    expect(redactor.text(`payload ${payload}`)).toBe("payload [redacted]");
    expect(redactor.text(`header ${header}`)).toBe("header [redacted]");
  });

  it("redacts any run of 16 characters of a secret, over the whole run, and leaves 15 alone", () => {
    const redactor = redactorOf(SECRET);
    expect(redactor.text(`cut: ${SECRET.slice(3, 19)}!`)).toBe("cut: [redacted]!");
    expect(redactor.text(`longer: ${SECRET.slice(2, 30)} tail`)).toBe("longer: [redacted] tail");
    expect(redactor.text(`short: ${SECRET.slice(0, 15)}`)).toBe(`short: ${SECRET.slice(0, 15)}`);
  });

  it("redacts the longer of two overlapping secrets first, so no piece of it is left", () => {
    const long = `${SECRET}-session-suffix-0001`;
    expect(redactorOf(SECRET, long).text(`token ${long}`)).toBe("token [redacted]");
  });
});

describe("a Redactor on an error", () => {
  it("rewrites the message, fix, target, endpoint, roles and stack, and the cause's, in place", () => {
    const cause = new Error(`inner ${SECRET}`);
    const error = Object.assign(new Error(`outer ${SECRET}`, { cause }), {
      fix: `rotate ${SECRET}`,
      target: "http://proxy:pass%2Fword@host/path",
      endpoint: `endpoint ${SECRET}`,
      expectedRole: `role ${SECRET}`,
      offeredRole: `offered ${SECRET}`,
      status: 500,
    });
    const same = redactorOf(SECRET).error(error);

    expect(same).toBe(error);
    expect(error.message).toBe("outer [redacted]");
    expect(error).toMatchObject({
      fix: "rotate [redacted]",
      target: "http://host/path",
      endpoint: "endpoint [redacted]",
      expectedRole: "role [redacted]",
      offeredRole: "offered [redacted]",
      status: 500,
    });
    expect(error.stack).not.toContain(SECRET);
    expect(error.stack?.split("\n").length).toBeGreaterThan(1);
    expect(cause.message).toBe("inner [redacted]");
  });

  it("passes on a thrown value that is not an Error unchanged, and survives an error that is its own cause", () => {
    const redactor = redactorOf(SECRET);
    expect(redactor.error(SECRET)).toBe(SECRET);
    const looped = new Error(`loop ${SECRET}`);
    Object.assign(looped, { cause: looped });
    expect(redactor.error(looped).message).toBe("loop [redacted]");
  });
});

// The Redactor at its edges: secrets too short for the run search (8 to 15 characters, a JWT's short segments), runs
// at the very end of a text or making up the whole text, the length bounds of add() and hold(), and an error's stack,
// which is rewritten apart from its message. Each case is one a redaction could miss while the common cases pass.
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
