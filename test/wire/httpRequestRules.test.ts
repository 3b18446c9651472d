// httpRequest's rules at their bounds: the accepted ranges of its limits, what a refused scheme says, the
// content-length it sends, the abort listener it leaves behind (none), and user information kept out of messages.
import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { HttpRequestError, httpRequest, isHttpRequestError } from "../../src/wire/http.js";
import { startTestServer } from "../support/loopback.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const MAX_TIMER_MS = 2_147_483_647;

/** The rejection of a request whose URL is refused before anything is sent: what the range checks let through. */
const refusal = (request: Parameters<typeof httpRequest>[0]) =>
  httpRequest(request).then(
    () => undefined,
    (error: unknown) => error,
  );

describe("the limits' accepted ranges", () => {
  it("accepts the longest deadline a Node timer can hold, and refuses one millisecond more", async () => {
    const accepted = await refusal({ url: "ftp://example.com/", timeoutMs: MAX_TIMER_MS, maxBodyBytes: 1 });
    const refused = await refusal({ url: "ftp://example.com/", timeoutMs: MAX_TIMER_MS + 1, maxBodyBytes: 1 });

    expect(accepted).toBeInstanceOf(HttpRequestError);
    expect(refused).toBeInstanceOf(RangeError);
    expect((refused as Error).message).toBe(`timeoutMs must be a number of milliseconds between 1 and ${MAX_TIMER_MS}`);
  });

  it("accepts a body limit of 0 bytes, and refuses a negative or fractional one", async () => {
    const accepted = await refusal({ url: "ftp://example.com/", timeoutMs: 1000, maxBodyBytes: 0 });

    expect(accepted).toBeInstanceOf(HttpRequestError);
    for (const maxBodyBytes of [-1, 1.5]) {
      const refused = await refusal({ url: "ftp://example.com/", timeoutMs: 1000, maxBodyBytes });
      expect(refused).toBeInstanceOf(RangeError);
      expect((refused as Error).message).toBe("maxBodyBytes must be a whole number of bytes, 0 or more");
    }
  });
});

describe("refusals before anything is sent", () => {
  it("a scheme other than http and https names the schemes supported", async () => {
    const error = await refusal({ url: "ftp://example.com/file", timeoutMs: 1000, maxBodyBytes: 1 });

    expect(error).toMatchObject({ kind: "connection", code: "ERR_INVALID_PROTOCOL" });
    expect((error as Error).message).toBe(
      "connection to ftp://example.com/file failed: ERR_INVALID_PROTOCOL (only http: and https: are supported)",
    );
    // No cause to give: the error carries no `cause` property at all, not one set to undefined.
    expect(Object.hasOwn(error as Error, "cause")).toBe(false);
  });

  it.each([
    ["a user name alone", "ftp://svc-orders@example.com/file"],
    ["a password alone", "ftp://:pr0xy-S3cret@example.com/file"],
    ["a user name and a password", "ftp://svc-orders:pr0xy-S3cret@example.com/file"],
  ])("drops %s from the URL it shows", async (_, url) => {
    const error = (await refusal({ url, timeoutMs: 1000, maxBodyBytes: 1 })) as HttpRequestError;

    expect(error.url).toBe("ftp://example.com/file");
    expect(error.message).not.toContain("svc-orders");
    expect(error.message).not.toContain("pr0xy-S3cret");
  });
});

describe("what is sent", () => {
  it("a body goes with its content-length in bytes, not chunked", async () => {
    const server = await startTestServer((_, response) => response.end("ok"));
    closers.push(server.close);

    await httpRequest({ url: server.url, method: "POST", body: "é=1", timeoutMs: 5000, maxBodyBytes: 16 });

    expect(server.requests[0]?.headers["content-length"]).toBe("4");
    expect(server.requests[0]?.headers).not.toHaveProperty("transfer-encoding");
  });
});

describe("the caller's signal", () => {
  it("keeps no abort listener once the request has its answer", async () => {
    const server = await startTestServer((_, response) => response.end("ok"));
    closers.push(server.close);
    const controller = new AbortController();

    await httpRequest({ url: server.url, timeoutMs: 5000, maxBodyBytes: 16, signal: controller.signal });

    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});

describe("isHttpRequestError", () => {
  it("is true for an HttpRequestError, even from another copy of the package, and false for anything else", () => {
    expect(isHttpRequestError(Object.assign(new Error("copy"), { name: "HttpRequestError" }))).toBe(true);
    expect(isHttpRequestError(new Error("plain"))).toBe(false);
    expect(isHttpRequestError({ name: "HttpRequestError", message: "not an Error" })).toBe(false);
  });
});
