// The one HTTP client of the package (metadata endpoint, Pod Identity agent, STS in the doctor). Not the SDK's
// `NodeHttpHandler`: its `requestTimeout` stops at the response headers and its `socketTimeout` is an idle timeout,
// so a body trickling one byte every 500 ms holds the credential call for ever, and it does not cap the body
// (test/wire/http.test.ts shows it). Here one timer covers connect + headers + body. `http.request` is looked up at
// call time, not destructured at import, so that msw's interceptors, which patch it, see it in tests.
import http from "node:http";
import https from "node:https";

/** Node.js caps timers at 2^31 - 1 ms; a longer delay silently becomes 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/** One request: to a metadata endpoint, to the Pod Identity agent or to STS. */
export interface HttpRequest {
  /** An `http:` or `https:` URL. Redirects are never followed. */
  url: string;
  /** `PUT` for the IMDSv2 session token; `GET` when absent. */
  method?: "GET" | "PUT" | undefined;
  /** Request headers. Their values never appear in an error message (one may be the Pod Identity token). */
  headers?: Record<string, string> | undefined;
  /** The total deadline in milliseconds for connect + response headers + the whole body. */
  timeoutMs: number;
  /** The largest body accepted, in bytes: a larger answer is cut off as soon as it passes the limit. */
  maxBodyBytes: number;
  /** Aborts the request; the promise then rejects with kind `aborted`. */
  signal?: AbortSignal | undefined;
}

/** A complete answer, whatever its status (a 3xx is returned, not followed). */
export interface HttpResponse {
  /** The HTTP status code. */
  status: number;
  /** Lower-case names; a repeated header's values are joined with `", "`. */
  headers: Record<string, string>;
  /** Decoded as UTF-8: a leading byte-order mark is dropped, invalid bytes become U+FFFD. */
  body: string;
  /** The URL asked, without any `user:password@`: the form to use in messages. */
  url: string;
}

/**
 * An {@link httpRequest} got no usable answer. `kind` says how:
 * - `timeout`: no complete answer (connect, headers and body) within the deadline;
 * - `connection`: the connection failed or broke before the answer was complete (`code`: `ECONNREFUSED`,
 *   `ECONNRESET`, …), or the URL cannot be requested at all (`ERR_INVALID_URL`, `ERR_INVALID_PROTOCOL`);
 * - `tooLarge`: the answer is larger than `maxBodyBytes`;
 * - `aborted`: the caller's `AbortSignal` fired.
 *
 * Internal, not exported from the package: sources turn it into a `CredentialSourceError` (or "source absent") with
 * a fix. Match it by `name`. The message names the URL, never a header value (the agent's `Authorization` is a
 * secret) nor the body.
 */
export class HttpRequestError extends Error {
  override name = "HttpRequestError";

  constructor(
    message: string,
    /** How the request failed. */
    readonly kind: "timeout" | "connection" | "tooLarge" | "aborted",
    /** The URL asked, without any `user:password@`. */
    readonly url: string,
    /** The Node.js error code, when there is one. */
    readonly code?: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

/** Whether a value is an {@link HttpRequestError}, matched by `name` so that two copies of the package agree. */
export const isHttpRequestError = (error: unknown): error is HttpRequestError =>
  error instanceof Error && error.name === "HttpRequestError";

/**
 * Sends one request and reads the whole answer within a total deadline and a body size limit. The body is cut off
 * (and the request destroyed) as soon as it passes `maxBodyBytes`, or at once when `content-length` announces more.
 * No keep-alive: each request has its own connection, so nothing lingers to keep the process alive; the timer and
 * the abort listener are removed whatever the outcome.
 *
 * @throws {HttpRequestError} (as a rejection) when there is no usable answer.
 * @throws {RangeError} (as a rejection) when `timeoutMs` or `maxBodyBytes` is out of range: a programming error.
 *
 * @example
 * ```ts
 * const { status, body } = await httpRequest({
 *   url: "http://169.254.169.254/latest/api/token",
 *   method: "PUT",
 *   headers: { "x-aws-ec2-metadata-token-ttl-seconds": "21600" },
 *   timeoutMs: 1000,
 *   maxBodyBytes: 4096,
 * });
 * ```
 */
export const httpRequest = (request: HttpRequest): Promise<HttpResponse> => {
  const { timeoutMs, maxBodyBytes, signal } = request;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS)) {
    return Promise.reject(new RangeError(`timeoutMs must be a number of milliseconds between 1 and ${MAX_TIMER_MS}`));
  }
  if (!(Number.isSafeInteger(maxBodyBytes) && maxBodyBytes >= 0)) {
    return Promise.reject(new RangeError("maxBodyBytes must be a whole number of bytes, 0 or more"));
  }
  const url = withoutUserinfo(request.url);
  const aborted = () =>
    new HttpRequestError(`request to ${url} was aborted`, "aborted", url, undefined, signal?.reason);
  const target = URL.canParse(request.url) ? new URL(request.url) : undefined;
  if (target === undefined) return Promise.reject(connectionError(url, "ERR_INVALID_URL"));
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    const error = connectionError(url, "ERR_INVALID_PROTOCOL", { after: " (only http: and https: are supported)" });
    return Promise.reject(error);
  }
  if (signal?.aborted) return Promise.reject(aborted());

  return new Promise<HttpResponse>((resolve, reject) => {
    let clientRequest: http.ClientRequest | undefined;
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      return true;
    };
    const fail = (error: Error): void => {
      if (!settle()) return;
      clientRequest?.destroy();
      reject(error);
    };
    const onAbort = (): void => fail(aborted());
    const timer = setTimeout(
      () => fail(new HttpRequestError(`no complete answer from ${url} within ${timeoutMs} ms`, "timeout", url)),
      timeoutMs,
    );
    signal?.addEventListener("abort", onAbort, { once: true });
    const onResponse = (response: http.IncomingMessage): void =>
      readAnswer(response, url, maxBodyBytes, fail, (answer) => settle() && resolve(answer));
    try {
      const options = { method: request.method ?? "GET", headers: request.headers ?? {}, agent: false };
      clientRequest = (target.protocol === "https:" ? https : http).request(target, options, onResponse);
    } catch (cause) {
      // Argument validation (an invalid header): Node's message may quote a header value, so the cause is dropped.
      fail(connectionError(url, errorCode(cause) ?? "ERR_INVALID_ARG_VALUE"));
      return;
    }
    clientRequest.on("error", (cause) => fail(connectionError(url, errorCode(cause), { cause })));
    clientRequest.end();
  });
};

/** Reads the body into `succeed`, or calls `fail` as soon as it passes the limit or the connection breaks. */
const readAnswer = (
  response: http.IncomingMessage,
  url: string,
  maxBodyBytes: number,
  fail: (error: Error) => void,
  succeed: (answer: HttpResponse) => void,
): void => {
  const tooLarge = () =>
    new HttpRequestError(`answer from ${url} is larger than ${maxBodyBytes} bytes`, "tooLarge", url);
  if (Number(response.headers["content-length"]) > maxBodyBytes) {
    fail(tooLarge());
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  response.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBodyBytes) fail(tooLarge());
    else chunks.push(chunk);
  });
  response.on("end", () => {
    const headers = Object.entries(response.headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name.toLowerCase(), Array.isArray(value) ? value.join(", ") : value]],
    );
    const body = new TextDecoder("utf-8").decode(Buffer.concat(chunks));
    succeed({ status: response.statusCode ?? 0, headers: Object.fromEntries(headers), body, url });
  });
  const broken = (cause?: unknown) =>
    fail(connectionError(url, errorCode(cause) ?? "ECONNRESET", { before: " before the answer was complete", cause }));
  response.on("error", broken);
  response.on("close", () => {
    if (!response.complete) broken();
  });
};

const connectionError = (
  url: string,
  code: string | undefined,
  { before = "", after = "", cause }: { before?: string; after?: string; cause?: unknown } = {},
): HttpRequestError => {
  const message = `connection to ${url} failed${before}: ${code ?? "the connection closed"}${after}`;
  return new HttpRequestError(message, "connection", url, code, cause);
};

const errorCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" ? code : undefined;
};

/** The URL as it may appear in messages: without `user:password@`. Unparseable text is returned as given. */
const withoutUserinfo = (raw: string): string => {
  const parsed = URL.canParse(raw) ? new URL(raw) : undefined;
  if (parsed === undefined || (parsed.username === "" && parsed.password === "")) return raw;
  parsed.username = "";
  parsed.password = "";
  return parsed.href;
};
