// The one HTTP client of the package. Not the SDK's `NodeHttpHandler`: its `requestTimeout` stops at the headers and
// its `socketTimeout` is an idle timeout, so a body trickling one byte every 500 ms holds the call for ever, and it
// does not cap the body (test/wire/http.test.ts shows it). `http.request` is looked up at call time, not destructured
// at import, so that msw's interceptors, which patch it, see it in tests.
import type http from "node:http";
import type https from "node:https";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type tls from "node:tls";

/** Node.js caps timers at 2^31 - 1 ms; a longer delay silently becomes 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/** One request: to a metadata endpoint, to the Pod Identity agent or to STS. */
export interface HttpRequest {
  url: string;
  method?: "GET" | "PUT" | "POST" | undefined;
  /** Request headers. Their values never appear in an error message (one may be the Pod Identity token). */
  headers?: Record<string, string> | undefined;
  /** One deadline over connect, response headers and the whole body. */
  timeoutMs: number;
  maxBodyBytes: number;
  signal?: AbortSignal | undefined;
  /** Sent as the request body (UTF-8), with its `content-length`. */
  body?: string | undefined;
  /**
   * An `http:` proxy to reach `url` through, by an HTTP CONNECT tunnel (TLS to the target runs inside it); from
   * {@link proxyFor}. The proxy's answer to CONNECT counts within the one deadline.
   */
  proxy?: string | undefined;
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
  // Node's HTTP stack is loaded on first use, TLS only for https: importing the package loads neither.
  const { http, net } = await loadHttp();
  const secure = target.protocol === "https:" ? await loadTls() : undefined;
  if (signal?.aborted) throw aborted();

  return new Promise<HttpResponse>((resolve, reject) => {
    let clientRequest: http.ClientRequest | undefined;
    let tunnel: Socket | undefined;
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
      tunnel?.destroy();
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
    const send = (tunneled?: Duplex): void => {
      try {
        const options = requestOptions(request, target, tunneled, secure?.tls);
        clientRequest = (secure?.https ?? http).request(target, options, onResponse);
        clientRequest.on("error", (cause) => fail(connectionError(url, errorCode(cause), { cause })));
        clientRequest.end(request.body);
      } catch (cause) {
        // Argument validation (an invalid header): Node's message may quote a header value, so the cause is dropped.
        fail(connectionError(url, errorCode(cause) ?? "ERR_INVALID_ARG_VALUE"));
      }
    };
    if (request.proxy === undefined) {
      send();
      return;
    }
    const proxy = URL.canParse(request.proxy) ? new URL(request.proxy) : undefined;
    if (proxy?.protocol !== "http:") {
      fail(connectionError(url, "ERR_INVALID_PROXY", { after: " (the proxy must be an http:// URL)" }));
      return;
    }
    tunnel = openTunnel(net.connect, proxy, target, {
      ready: (socket) => send(socket),
      failed: (code, after, cause) => fail(connectionError(url, code, { after, cause })),
    });
  });
};

let httpModules: Promise<{ http: typeof http; net: typeof import("node:net") }> | undefined;
const loadHttp = () =>
  (httpModules ??= Promise.all([import("node:http"), import("node:net")]).then(([http, net]) => ({
    http: http.default,
    net: net.default,
  })));

let tlsModules: Promise<{ https: typeof https; tls: typeof tls }> | undefined;
const loadTls = () =>
  (tlsModules ??= Promise.all([import("node:https"), import("node:tls")]).then(([https, tls]) => ({
    https: https.default,
    tls: tls.default,
  })));

/** Node's options for the request itself: direct (no agent, so no keep-alive), or over an open tunnel. */
const requestOptions = (
  request: HttpRequest,
  target: URL,
  tunneled: Duplex | undefined,
  tlsModule: typeof tls | undefined,
): https.RequestOptions => {
  const body = request.body;
  const headers = {
    ...request.headers,
    ...(body === undefined ? {} : { "content-length": `${Buffer.byteLength(body)}` }),
  };
  const options: https.RequestOptions = { method: request.method ?? "GET", headers };
  if (tunneled === undefined) return { ...options, agent: false };
  const servername = ipVersion(target.hostname) === 0 ? target.hostname : undefined;
  return {
    ...options,
    // Without an agent, Node takes port 80 as the default: the Host header would say ":80" for an https URL.
    defaultPort: target.protocol === "https:" ? 443 : 80,
    createConnection: () =>
      tlsModule ? tlsModule.connect({ socket: tunneled, ...(servername && { servername }) }) : (tunneled as Socket),
  };
};

/** The largest CONNECT answer head accepted from a proxy: real ones send a few hundred bytes. */
const MAX_PROXY_HEAD_BYTES = 16 * 1024;

/**
 * Opens an HTTP CONNECT tunnel to `target`'s host and port through `proxy`, over a plain socket (not `http.request`,
 * whose CONNECT support msw's interceptors break); `ready` gets the socket once the proxy answered 200. Errors name
 * the proxy without its user information.
 */
const openTunnel = (
  connect: typeof import("node:net").connect,
  proxy: URL,
  target: URL,
  on: { ready(socket: Duplex): void; failed(code: string | undefined, after: string, cause?: unknown): void },
): Socket => {
  const shownProxy = withoutUserinfo(proxy.href);
  const through = ` (through the proxy ${shownProxy})`;
  const authority = `${target.hostname}:${target.port || (target.protocol === "https:" ? 443 : 80)}`;
  const user = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  const authorization =
    proxy.username === "" ? "" : `Proxy-Authorization: Basic ${Buffer.from(user).toString("base64")}\r\n`;
  const socket = connect({ host: proxy.hostname.replace(/^\[|\]$/g, ""), port: Number(proxy.port || 80) });
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) {
      if (head.length > MAX_PROXY_HEAD_BYTES)
        on.failed("ERR_PROXY_TUNNEL", ` (the proxy ${shownProxy} sent no HTTP answer)`);
      return;
    }
    socket.off("data", onData);
    socket.off("close", onClose);
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.toString("latin1"))?.[1];
    if (status !== "200") {
      const answered = status === undefined ? "sent no HTTP answer" : `answered CONNECT with HTTP ${status}`;
      on.failed("ERR_PROXY_TUNNEL", ` (the proxy ${shownProxy} ${answered})`);
      return;
    }
    // The client speaks first inside a tunnel (its TLS hello, or its request): bytes that came with the proxy's 200
    // belong to no protocol the request runs. Handing them on would lose them (TLS reads the socket's handle, not its
    // stream buffer) and the request would hang until its deadline; refusing says what happened.
    if (end + 4 < head.length) {
      on.failed("ERR_PROXY_TUNNEL", ` (the proxy ${shownProxy} sent data in the tunnel before the request)`);
      return;
    }
    on.ready(socket);
  };
  const onClose = (): void => on.failed("ECONNRESET", through);
  socket.once("connect", () => {
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${authorization}\r\n`);
  });
  socket.on("data", onData);
  socket.on("close", onClose);
  socket.on("error", (cause) => on.failed(errorCode(cause), through, cause));
  return socket;
};

/**
 * 4 or 6 for an IP address as the URL parser normalises hosts (dotted decimal; IPv6 in brackets), else 0: a host
 * name. Not `net.isIP`, so that importing the package does not load Node's network stack.
 */
const ipVersion = (hostname: string): 0 | 4 | 6 => {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(hostname)) return 4;
  return hostname.includes(":") ? 6 : 0;
};

/** Addresses never reached through a proxy: loopback, link-local (IMDS, the Pod Identity agent), EKS's fd00:ec2::. */
const isLocalHost = (hostname: string): boolean => {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (ipVersion(host) === 4) return host.startsWith("127.") || host.startsWith("169.254.");
  if (ipVersion(host) === 6) {
    // An IPv4-mapped address is its IPv4 address: the URL parser writes [::ffff:127.0.0.1] as [::ffff:7f00:1].
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
    if (mapped) return isLocalHost(`${mappedIpv4(mapped[1] as string)}.${mappedIpv4(mapped[2] as string)}`);
    if (host.startsWith("::ffff:")) return isLocalHost(host.slice(7));
    return host === "::1" || /^fe[89ab][0-9a-f]:/.test(host) || host.startsWith("fd00:ec2:");
  }
  return false;
};

/** Two dotted-decimal bytes from one hexadecimal group of an IPv4-mapped IPv6 address. */
const mappedIpv4 = (group: string): string => {
  const value = Number.parseInt(group, 16);
  return `${value >> 8}.${value & 0xff}`;
};

/** Whether `NO_PROXY` (`no_proxy`) exempts the host: `*`, an exact host or IP, or a domain with its subdomains. */
const exempted = (target: URL, noProxy: string): boolean => {
  const host = target.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = target.port || (target.protocol === "https:" ? "443" : "80");
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((entry) => {
      if (entry === "*") return true;
      const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(entry.toLowerCase());
      const name = (match?.[1] ?? match?.[2] ?? "").replace(/^\*?\./, "");
      if (match?.[3] !== undefined && match[3] !== port) return false;
      return name !== "" && (host === name || host.endsWith(`.${name}`));
    });
};

/**
 * The proxy for a request to `url`, from `env` as curl reads it: `https_proxy` then `HTTPS_PROXY` for https URLs,
 * `http_proxy` then `HTTP_PROXY` for http ones (an empty variable counts as unset), unless `no_proxy`/`NO_PROXY`
 * exempts the host. Never for loopback or link-local addresses (IMDS, the Pod Identity agent, kube2iam), whatever the
 * variables say. Only STS calls ask.
 */
export const proxyFor = (url: string, env: Readonly<Record<string, string | undefined>>): string | undefined => {
  const target = URL.canParse(url) ? new URL(url) : undefined;
  if (target === undefined || isLocalHost(target.hostname)) return undefined;
  const proxy =
    target.protocol === "https:"
      ? env.https_proxy || env.HTTPS_PROXY
      : target.protocol === "http:"
        ? env.http_proxy || env.HTTP_PROXY
        : undefined;
  if (!proxy) return undefined;
  // An empty no_proxy counts as unset, as an empty https_proxy does: curl reads both so.
  const noProxy = env.no_proxy || env.NO_PROXY || "";
  return exempted(target, noProxy) ? undefined : proxy.includes("://") ? proxy : `http://${proxy}`;
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
