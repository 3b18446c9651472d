// The one HTTP client of the package. Not the SDK's `NodeHttpHandler`: its `requestTimeout` stops at the headers and
// its `socketTimeout` is an idle timeout, so a body trickling one byte every 500 ms holds the call for ever, and it
// does not cap the body (test/wire/http.test.ts shows it). `http.request` is looked up at call time, not destructured
// at import, so that msw's interceptors, which patch it, see it in tests.
import http from "node:http";
import https from "node:https";

/** Node.js caps timers at 2^31 - 1 ms; a longer delay silently becomes 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/** One request: to a metadata endpoint, to the Pod Identity agent or to STS. */
export interface HttpRequest {
  url: string;
  method?: "GET" | "PUT" | undefined;
  /** Request headers. Their values never appear in an error message (one may be the Pod Identity token). */
  headers?: Record<string, string> | undefined;
  /** One deadline over connect, response headers and the whole body. */
  timeoutMs: number;
  maxBodyBytes: number;
  signal?: AbortSignal | undefined;
}

/** A complete answer, whatever its status (a 3xx is returned, not followed). */
export interface HttpResponse {
  status: number;
  /** Lower-case names; a repeated header's values are joined with `", "`. */
  headers: Record<string, string>;
  /** Decoded as UTF-8: a leading byte-order mark is dropped, invalid bytes become U+FFFD. */
  body: string;
  /** The URL asked, without any `user:password@`: the form to use in messages. */
  url: string;
}

/**
 * An {@link httpRequest} got no usable answer; sources turn it into a `CredentialSourceError` (or "source absent").
 * `connection` includes a URL that cannot be requested (`ERR_INVALID_URL`, `ERR_INVALID_PROTOCOL`). The message names
 * the URL, never a header value (the agent's `Authorization` is a secret) nor the body.
 */
export class HttpRequestError extends Error {
  override name = "HttpRequestError";

  constructor(
    message: string,
    readonly kind: "timeout" | "connection" | "tooLarge" | "aborted",
    readonly url: string,
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
 * Sends one request and reads the whole answer within the deadline. The body is cut off (and the request destroyed)
 * as soon as it passes `maxBodyBytes`, or at once when `content-length` announces more. No keep-alive, so nothing
 * lingers to keep the process alive; the timer and the abort listener are removed whatever the outcome.
 *
 * @throws {HttpRequestError} when there is no usable answer.
 * @throws {RangeError} when `timeoutMs` or `maxBodyBytes` is out of range: a programming error.
 */
export const httpRequest = async (request: HttpRequest): Promise<HttpResponse> => {
  const { timeoutMs, maxBodyBytes, signal } = request;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS)) {
    throw new RangeError(`timeoutMs must be a number of milliseconds between 1 and ${MAX_TIMER_MS}`);
  }
  if (!(Number.isSafeInteger(maxBodyBytes) && maxBodyBytes >= 0)) {
    throw new RangeError("maxBodyBytes must be a whole number of bytes, 0 or more");
  }
  const url = withoutUserinfo(request.url);
  const aborted = () =>
    new HttpRequestError(`request to ${url} was aborted`, "aborted", url, undefined, signal?.reason);
  const target = URL.canParse(request.url) ? new URL(request.url) : undefined;
  if (target === undefined) throw connectionError(url, "ERR_INVALID_URL");
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    throw connectionError(url, "ERR_INVALID_PROTOCOL", { after: " (only http: and https: are supported)" });
  }
  if (signal?.aborted) throw aborted();

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
    const onResponse = (response: http.IncomingMessage): void => {
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
        if (settle()) resolve({ status: response.statusCode ?? 0, headers: Object.fromEntries(headers), body, url });
      });
      const broken = (cause?: unknown) => {
        const before = " before the answer was complete";
        fail(connectionError(url, errorCode(cause) ?? "ECONNRESET", { before, cause }));
      };
      response.on("error", broken);
      response.on("close", () => {
        if (!response.complete) broken();
      });
    };
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

const connectionError = (url: string, code?: string, { before = "", after = "", cause }: ConnectionFailure = {}) => {
  const message = `connection to ${url} failed${before}: ${code ?? "the connection closed"}${after}`;
  return new HttpRequestError(message, "connection", url, code, cause);
};
type ConnectionFailure = { before?: string; after?: string; cause?: unknown };

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
