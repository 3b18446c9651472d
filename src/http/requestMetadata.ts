// The one HTTP client of the package, used for the metadata endpoint (EC2 IMDS, kube2iam, kiam) and the EKS Pod
// Identity agent.
//
// Why not the SDK's `NodeHttpHandler` (`@smithy/node-http-handler`)? It has no deadline for a whole answer and no
// limit on its size. In the versions that `@smithy/credential-provider-imds` used for years `requestTimeout` was a
// socket-idle timeout; in 4.14 `requestTimeout` only logs a warning unless `throwOnRequestTimeout` is set, and even
// then its timer stops when the response headers arrive, while `socketTimeout` is again an idle timeout. Either way
// the body is streamed with no deadline: an endpoint that answers its headers and then trickles one byte every 500 ms
// holds the credential call (and every SDK call waiting on it) forever, and one that streams without end fills the
// memory. test/unit/requestMetadata.test.ts shows it against a loopback server. Here one timer, started before the
// connection, covers connect + headers + body, and the body is cut off as soon as it passes the caller's limit.
//
// Requests go through `http.request` / `https.request` looked up at call time (not destructured at import), so that
// msw's interceptors, which patch those functions, see them in tests.
import http from "node:http";
import https from "node:https";
import { MetadataRequestError } from "./MetadataRequestError.js";

/** Node.js caps timers at 2^31 - 1 ms; a longer delay silently becomes 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/** One request to a metadata endpoint or to the Pod Identity agent. */
export interface MetadataRequest {
  /** An `http:` or `https:` URL. Redirects are never followed. */
  url: string;
  /**
   * The HTTP method (`PUT` for the IMDSv2 session token).
   * @default "GET"
   */
  method?: "GET" | "PUT" | undefined;
  /** Request headers. Their values never appear in an error message (one may be the Pod Identity token). */
  headers?: Record<string, string> | undefined;
  /** The total deadline in milliseconds for connect + response headers + the whole body. */
  timeoutMs: number;
  /** The largest body accepted, in bytes. A larger answer is cut off as soon as the limit is passed. */
  maxBodyBytes: number;
  /** Aborts the request; the promise then rejects with kind `aborted`. */
  signal?: AbortSignal | undefined;
}

/** A complete answer, whatever its status (a 3xx is returned, not followed). */
export interface MetadataResponse {
  /** The HTTP status code. */
  status: number;
  /** The response headers, with lower-case names; repeated headers are joined with `", "`. */
  headers: Record<string, string>;
  /** The body decoded as UTF-8 (a leading byte-order mark is dropped; invalid bytes become U+FFFD). */
  body: string;
  /** The URL asked, with any `user:password@` removed: the form to use in messages. */
  url: string;
}

/**
 * Sends one HTTP request and reads the whole answer, within a total deadline and a body size limit.
 *
 * - One timer, started before the connection is made, covers connect, response headers and body.
 * - The body is cut off (and the request destroyed) as soon as it passes `maxBodyBytes`, or at once when the
 *   `content-length` header announces more.
 * - Redirects are not followed: a 3xx comes back as a response like any other.
 * - No keep-alive: each request has its own connection, closed at the end, so nothing lingers to keep the process
 *   alive. The timer and the abort listener are removed whatever the outcome.
 *
 * @returns the status, lower-case headers and body of the answer.
 * @throws {MetadataRequestError} (as a rejection) with kind `timeout`, `connection`, `tooLarge` or `aborted`. Its
 *   message names the URL, never a header value nor the body.
 * @throws {RangeError} (as a rejection) when `timeoutMs` or `maxBodyBytes` is not a positive number: a programming
 *   error, not an endpoint failure.
 *
 * @example
 * ```ts
 * const { status, body } = await requestMetadata({
 *   url: "http://169.254.169.254/latest/api/token",
 *   method: "PUT",
 *   headers: { "x-aws-ec2-metadata-token-ttl-seconds": "21600" },
 *   timeoutMs: 1000,
 *   maxBodyBytes: 4096,
 * });
 * ```
 */
export const requestMetadata = (request: MetadataRequest): Promise<MetadataResponse> =>
  new Promise<MetadataResponse>((resolve, reject) => {
    const { timeoutMs, maxBodyBytes, signal } = request;
    if (!(Number.isFinite(timeoutMs) && timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS)) {
      reject(new RangeError(`timeoutMs must be a number of milliseconds between 1 and ${MAX_TIMER_MS}`));
      return;
    }
    if (!(Number.isSafeInteger(maxBodyBytes) && maxBodyBytes >= 0)) {
      reject(new RangeError("maxBodyBytes must be a whole number of bytes, 0 or more"));
      return;
    }

    const url = redactUrl(request.url);
    let target: URL;
    try {
      target = new URL(request.url);
    } catch {
      const code = "ERR_INVALID_URL";
      reject(new MetadataRequestError(`connection to ${url} failed: ${code}`, { kind: "connection", url, code }));
      return;
    }
    if (target.protocol !== "http:" && target.protocol !== "https:") {
      const code = "ERR_INVALID_PROTOCOL";
      const message = `connection to ${url} failed: ${code} (only http: and https: are supported)`;
      reject(new MetadataRequestError(message, { kind: "connection", url, code }));
      return;
    }
    if (signal?.aborted) {
      reject(abortedError(url, signal.reason));
      return;
    }

    let settled = false;
    let clientRequest: http.ClientRequest | undefined;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => fail(abortedError(url, signal?.reason));
    const cleanUp = (): void => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const fail = (error: Error): void => {
      if (settled) return;
      cleanUp();
      clientRequest?.destroy();
      reject(error);
    };
    const succeed = (response: MetadataResponse): void => {
      if (settled) return;
      cleanUp();
      resolve(response);
    };

    const onDeadline = (): void =>
      fail(new MetadataRequestError(`no complete answer from ${url} within ${timeoutMs} ms`, { kind: "timeout", url }));
    timer = setTimeout(onDeadline, timeoutMs);
    signal?.addEventListener("abort", onAbort, { once: true });

    const onResponse = (response: http.IncomingMessage): void => {
      const tooLarge = (): MetadataRequestError =>
        new MetadataRequestError(`answer from ${url} is larger than ${maxBodyBytes} bytes`, { kind: "tooLarge", url });
      const declaredLength = Number(response.headers["content-length"]);
      if (declaredLength > maxBodyBytes) {
        fail(tooLarge());
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > maxBodyBytes) {
          fail(tooLarge());
          return;
        }
        chunks.push(chunk);
      });
      response.on("end", () =>
        succeed({
          status: response.statusCode ?? 0,
          headers: flattenHeaders(response.headers),
          body: new TextDecoder("utf-8").decode(Buffer.concat(chunks, size)),
          url,
        }),
      );
      response.on("error", (cause) => fail(brokenError(url, cause)));
      response.on("close", () => {
        if (!response.complete) fail(brokenError(url, undefined));
      });
    };

    const client = target.protocol === "https:" ? https : http;
    try {
      clientRequest = client.request(
        target,
        { method: request.method ?? "GET", headers: request.headers ?? {}, agent: false },
        onResponse,
      );
    } catch (cause) {
      // Argument validation (an invalid header name or value). Node's message may quote a header value, so only the
      // code is kept and the cause is dropped.
      const code = errorCode(cause) ?? "ERR_INVALID_ARG_VALUE";
      fail(new MetadataRequestError(`connection to ${url} failed: ${code}`, { kind: "connection", url, code }));
      return;
    }
    clientRequest.on("error", (cause) => {
      const code = errorCode(cause);
      fail(
        new MetadataRequestError(`connection to ${url} failed: ${code ?? "the connection closed"}`, {
          kind: "connection",
          url,
          code,
          cause,
        }),
      );
    });
    clientRequest.end();
  });

const abortedError = (url: string, reason: unknown): MetadataRequestError =>
  new MetadataRequestError(`request to ${url} was aborted`, { kind: "aborted", url, cause: reason });

const brokenError = (url: string, cause: unknown): MetadataRequestError => {
  const code = errorCode(cause) ?? "ECONNRESET";
  return new MetadataRequestError(`connection to ${url} failed before the answer was complete: ${code}`, {
    kind: "connection",
    url,
    code,
    cause,
  });
};

const errorCode = (error: unknown): string | undefined => {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
};

const flattenHeaders = (headers: http.IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name.toLowerCase(), Array.isArray(value) ? value.join(", ") : value]],
    ),
  );

/** The URL as it may appear in messages: without `user:password@`. Unparseable input is returned as given. */
const redactUrl = (raw: string): string => {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    return raw;
  }
  if (parsed.username === "" && parsed.password === "") return raw;
  parsed.username = "";
  parsed.password = "";
  return parsed.href;
};
