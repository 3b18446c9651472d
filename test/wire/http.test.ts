import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { delay, HttpResponse, http } from "msw";
import { afterEach, describe, expect, it, vi } from "vitest";
import { HttpRequestError, httpRequest } from "../../src/wire/http.js";
import { mswServer } from "../support/mswServer.js";

// Real loopback servers: networkGuard lets requests to 127.0.0.1 pass through msw to them.

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

interface TestServer {
  url: string;
  port: number;
  /** Requests the server has received. */
  readonly requests: IncomingMessage[];
  /** Resolves when the connection of the first request closes. */
  firstConnectionClosed: Promise<void>;
  close(): Promise<void>;
}

const servers: TestServer[] = [];

const startServer = async (handler: Handler): Promise<TestServer> => {
  const requests: IncomingMessage[] = [];
  let onFirstClose: () => void = () => undefined;
  const firstConnectionClosed = new Promise<void>((resolve) => (onFirstClose = resolve));
  const server: Server = createServer((request, response) => {
    if (requests.length === 0) request.socket.once("close", onFirstClose);
    requests.push(request);
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const testServer: TestServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    firstConnectionClosed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(testServer);
  return testServer;
};

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Accepts the request and never answers. */
const hang: Handler = () => undefined;

/** Sends the headers at once, then one byte every 100 ms until the client goes away. */
const trickle: Handler = (request, response) => {
  response.writeHead(200, { "content-type": "application/json" });
  response.flushHeaders();
  const interval = setInterval(() => response.write("x"), 100);
  response.on("close", () => clearInterval(interval));
  request.on("close", () => clearInterval(interval));
};

const rejectionOf = async (promise: Promise<unknown>): Promise<HttpRequestError> => {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HttpRequestError);
    return error as HttpRequestError;
  }
  throw new Error("expected the request to fail");
};

const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};

describe("httpRequest", () => {
  describe("answers", () => {
    it("returns the status, the headers with lower-case names and the body of a GET", async () => {
      const server = await startServer((_request, response) => {
        response.writeHead(200, { "Content-Type": "text/plain", "X-Role-Name": "orders-reader" });
        response.end("orders-reader");
      });

      const response = await httpRequest({
        url: `${server.url}/latest/meta-data/iam/security-credentials/`,
        timeoutMs: 1000,
        maxBodyBytes: 1024,
      });

      expect(response.status).toBe(200);
      expect(response.headers["content-type"]).toBe("text/plain");
      expect(response.headers["x-role-name"]).toBe("orders-reader");
      expect(response.body).toBe("orders-reader");
      expect(response.url).toBe(`${server.url}/latest/meta-data/iam/security-credentials/`);
      expect(server.requests[0]?.method).toBe("GET");
    });

    it("sends a PUT with the given headers, as for the IMDSv2 session token", async () => {
      const server = await startServer((request, response) => {
        response.end(`${request.method} ${request.headers["x-aws-ec2-metadata-token-ttl-seconds"] ?? "-"}`);
      });

      const response = await httpRequest({
        url: `${server.url}/latest/api/token`,
        method: "PUT",
        headers: { "X-aws-ec2-metadata-token-ttl-seconds": "21600" },
        timeoutMs: 1000,
        maxBodyBytes: 1024,
      });

      expect(response.body).toBe("PUT 21600");
    });

    it("returns error statuses as answers, not as failures", async () => {
      const server = await startServer((_request, response) => {
        response.writeHead(404, { "content-type": "text/html" });
        response.end("<html>Not Found</html>");
      });

      const response = await httpRequest({ url: server.url, timeoutMs: 1000, maxBodyBytes: 1024 });

      expect(response).toMatchObject({ status: 404, body: "<html>Not Found</html>" });
    });

    it("decodes the body as UTF-8, even when a character is split across two chunks", async () => {
      const bytes = Buffer.from('{"Message":"Rôle refusé ✓"}', "utf8");
      const split = bytes.indexOf(Buffer.from("✓", "utf8")) + 1;
      const server = await startServer((_request, response) => {
        response.writeHead(200);
        response.write(bytes.subarray(0, split));
        setTimeout(() => response.end(bytes.subarray(split)), 20);
      });

      const response = await httpRequest({ url: server.url, timeoutMs: 1000, maxBodyBytes: 1024 });

      expect(response.body).toBe('{"Message":"Rôle refusé ✓"}');
    });

    it("does not follow a redirect: a 302 comes back with its Location", async () => {
      const server = await startServer((request, response) => {
        if (request.url === "/elsewhere") {
          response.end("followed");
          return;
        }
        response.writeHead(302, { location: "/elsewhere" });
        response.end();
      });

      const response = await httpRequest({ url: `${server.url}/start`, timeoutMs: 1000, maxBodyBytes: 1024 });

      expect(response.status).toBe(302);
      expect(response.headers.location).toBe("/elsewhere");
      expect(response.body).toBe("");
      expect(server.requests.map((request) => request.url)).toEqual(["/start"]);
    });

    it("accepts a body of exactly maxBodyBytes", async () => {
      const server = await startServer((_request, response) => response.end("a".repeat(1024)));

      const response = await httpRequest({ url: server.url, timeoutMs: 1000, maxBodyBytes: 1024 });

      expect(response.body).toHaveLength(1024);
    });
  });

  describe("deadline", () => {
    // The deadline in faked time (setTimeout only: the sockets, and the trickling server's setInterval, run for real):
    // the request is still pending 1 ms before the deadline and fails at it, however slow the machine.
    afterEach(() => {
      vi.useRealTimers();
    });

    /** Turns of the event loop until `done()`: real I/O progresses while faked time stands still. */
    const until = async (done: () => boolean): Promise<void> => {
      while (!done()) await new Promise((resolve) => setImmediate(resolve));
    };

    it("gives up on an endpoint that accepts the connection and never answers, at the deadline", async () => {
      const server = await startServer(hang);
      const url = `${server.url}/latest/api/token`;
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
      let settled = false;
      const failing = rejectionOf(httpRequest({ url, method: "PUT", timeoutMs: 300, maxBodyBytes: 1024 })).finally(
        () => (settled = true),
      );
      await until(() => server.requests.length === 1);

      await vi.advanceTimersByTimeAsync(299);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      const error = await failing;

      expect(error.kind).toBe("timeout");
      expect(error.url).toBe(url);
      expect(error.message).toBe(`no complete answer from ${url} within 300 ms`);
      await server.firstConnectionClosed;
    });

    it("counts the body in the deadline: an endpoint that trickles a byte every 100 ms times out", async () => {
      let written = 0;
      // `trickle`, counting what it writes.
      const server = await startServer((request, response) => {
        response.writeHead(200, { "content-type": "application/json" });
        response.flushHeaders();
        const interval = setInterval(() => {
          written += 1;
          response.write("x");
        }, 100);
        response.on("close", () => clearInterval(interval));
        request.on("close", () => clearInterval(interval));
      });
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
      let settled = false;
      const failing = rejectionOf(httpRequest({ url: server.url, timeoutMs: 500, maxBodyBytes: 65_536 })).finally(
        () => (settled = true),
      );
      // Bytes of the body keep coming (real time) while the deadline (faked time) is still ahead.
      await until(() => written >= 2);

      await vi.advanceTimersByTimeAsync(499);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      const error = await failing;

      expect(error.kind).toBe("timeout");
      expect(error.message).toBe(`no complete answer from ${server.url} within 500 ms`);
      await server.firstConnectionClosed;
    });

    // Why we do not use the SDK's handler: even with throwOnRequestTimeout its requestTimeout stops at the response
    // headers, so a trickling body holds the call. Bounded: the test stops reading after 1.2 s. (Its socketTimeout is
    // an idle timeout, so it would not fire on a trickle either; it is left out here because under msw's passthrough
    // socket idle timers fire regardless of traffic, which would hide the real behaviour.)
    it("is needed because the SDK's NodeHttpHandler with a 300 ms requestTimeout keeps reading a trickle for over 1 s", async () => {
      const server = await startServer(trickle);
      const handler = new NodeHttpHandler({ requestTimeout: 300, throwOnRequestTimeout: true, connectionTimeout: 300 });
      const request = {
        protocol: "http:",
        hostname: "127.0.0.1",
        port: server.port,
        path: "/",
        method: "GET",
        headers: {},
        query: {},
      } as unknown as Parameters<NodeHttpHandler["handle"]>[0];

      try {
        const { response } = await handler.handle(request);
        const body = response.body as NodeJS.ReadableStream & { destroy(): void };
        let bytes = 0;
        let failure: unknown;
        body.on("data", (chunk: Buffer) => (bytes += chunk.length));
        body.on("error", (error) => (failure = error));
        await new Promise((resolve) => setTimeout(resolve, 1200));
        body.destroy();

        expect(failure).toBeUndefined();
        expect(bytes).toBeGreaterThanOrEqual(8);
      } finally {
        handler.destroy();
      }
    });
  });

  describe("size limit", () => {
    it("cuts off a streamed body as soon as it passes maxBodyBytes", async () => {
      let written = 0;
      const server = await startServer((_request, response) => {
        response.writeHead(200);
        const chunk = "y".repeat(512);
        const interval = setInterval(() => {
          written += chunk.length;
          response.write(chunk);
        }, 5);
        response.on("close", () => clearInterval(interval));
      });

      const error = await rejectionOf(httpRequest({ url: server.url, timeoutMs: 5000, maxBodyBytes: 2048 }));

      expect(error.kind).toBe("tooLarge");
      expect(error.message).toBe(`answer from ${server.url} is larger than 2048 bytes`);
      await server.firstConnectionClosed;
      expect(written).toBeLessThan(64 * 1024);
    });

    it("refuses at once a body whose content-length announces more than maxBodyBytes", async () => {
      const server = await startServer((_request, response) => {
        response.writeHead(200, { "content-length": String(10_000_000) });
        response.flushHeaders();
      });

      const error = await rejectionOf(httpRequest({ url: server.url, timeoutMs: 5000, maxBodyBytes: 65_536 }));

      // At once: "tooLarge" from the headers alone, not the 5 s deadline (which would say "timeout"); and the
      // request is given up, not left open.
      expect(error.kind).toBe("tooLarge");
      expect(error.message).toBe(`answer from ${server.url} is larger than 65536 bytes`);
      await server.firstConnectionClosed;
    });
  });

  describe("connection failures", () => {
    it("reports a refused connection with its code", async () => {
      const port = await closedPort();
      const url = `http://127.0.0.1:${port}/v1/credentials`;

      const error = await rejectionOf(httpRequest({ url, timeoutMs: 1000, maxBodyBytes: 1024 }));

      expect(error.kind).toBe("connection");
      expect(error.code).toBe("ECONNREFUSED");
      expect(error.url).toBe(url);
      expect(error.message).toBe(`connection to ${url} failed: ECONNREFUSED`);
    });

    it("reports a connection that breaks in the middle of the body", async () => {
      const server = await startServer((_request, response) => {
        response.writeHead(200, { "content-length": "100" });
        response.write("0123456789", () => setTimeout(() => response.socket?.destroy(), 20));
      });

      const error = await rejectionOf(httpRequest({ url: server.url, timeoutMs: 1000, maxBodyBytes: 1024 }));

      expect(error.kind).toBe("connection");
      expect(error.code).toBe("ECONNRESET");
      expect(error.message).toBe(`connection to ${server.url} failed before the answer was complete: ECONNRESET`);
    });

    it("refuses a URL that is not http or https", async () => {
      const error = await rejectionOf(httpRequest({ url: "file:///etc/passwd", timeoutMs: 1000, maxBodyBytes: 1024 }));

      expect(error).toMatchObject({ kind: "connection", code: "ERR_INVALID_PROTOCOL" });
    });

    it("refuses a string that is not a URL", async () => {
      const error = await rejectionOf(httpRequest({ url: "not a url", timeoutMs: 1000, maxBodyBytes: 1024 }));

      expect(error).toMatchObject({ kind: "connection", code: "ERR_INVALID_URL" });
    });

    it("rejects a deadline that is not a positive number of milliseconds as a programming error", async () => {
      await expect(httpRequest({ url: "http://127.0.0.1:9/", timeoutMs: 0, maxBodyBytes: 1 })).rejects.toThrow(
        RangeError,
      );
      await expect(httpRequest({ url: "http://127.0.0.1:9/", timeoutMs: Number.NaN, maxBodyBytes: 1 })).rejects.toThrow(
        RangeError,
      );
      await expect(httpRequest({ url: "http://127.0.0.1:9/", timeoutMs: 10, maxBodyBytes: -1 })).rejects.toThrow(
        RangeError,
      );
    });
  });

  describe("abort", () => {
    it("stops a pending request when the signal aborts", async () => {
      const server = await startServer(hang);
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error("shutting down")), 100);

      const error = await rejectionOf(
        httpRequest({ url: server.url, timeoutMs: 5000, maxBodyBytes: 1024, signal: controller.signal }),
      );

      // The abort, not the 5 s deadline (which would say "timeout"), ended it.
      expect(error.kind).toBe("aborted");
      expect(error.message).toBe(`request to ${server.url} was aborted`);
      expect(error.cause).toEqual(new Error("shutting down"));
      await server.firstConnectionClosed;
    });

    it("does not connect at all when the signal has already aborted", async () => {
      const server = await startServer((_request, response) => response.end("ok"));

      const error = await rejectionOf(
        httpRequest({ url: server.url, timeoutMs: 1000, maxBodyBytes: 1024, signal: AbortSignal.abort() }),
      );

      expect(error.kind).toBe("aborted");
      expect(server.requests).toHaveLength(0);
    });
  });

  describe("secrets", () => {
    const token = "pod-identity-token-7f3c9a1e5b";

    it("never puts a header value in a timeout or connection message", async () => {
      const server = await startServer(hang);
      const port = await closedPort();
      const headers = { Authorization: token };

      const timeout = await rejectionOf(httpRequest({ url: server.url, headers, timeoutMs: 100, maxBodyBytes: 1 }));
      const refused = await rejectionOf(
        httpRequest({ url: `http://127.0.0.1:${port}/`, headers, timeoutMs: 1000, maxBodyBytes: 1 }),
      );
      const invalid = await rejectionOf(
        httpRequest({
          url: server.url,
          headers: { Authorization: `${token}\r\nX: y` },
          timeoutMs: 1000,
          maxBodyBytes: 1,
        }),
      );

      for (const error of [timeout, refused, invalid]) {
        expect(error.message).not.toContain(token);
        expect(String(error.cause ?? "")).not.toContain(token);
      }
      expect(invalid.kind).toBe("connection");
    });

    it("never puts the body in a message", async () => {
      const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
      const server = await startServer((_request, response) => {
        response.writeHead(200);
        response.end(JSON.stringify({ SecretAccessKey: secret, padding: "z".repeat(100) }));
      });

      const error = await rejectionOf(httpRequest({ url: server.url, timeoutMs: 1000, maxBodyBytes: 50 }));

      expect(error.kind).toBe("tooLarge");
      expect(error.message).not.toContain(secret);
    });

    it("drops user:password from the URL in messages", async () => {
      const port = await closedPort();

      const error = await rejectionOf(
        httpRequest({
          url: `http://agent:hunter22@127.0.0.1:${port}/v1/credentials`,
          timeoutMs: 1000,
          maxBodyBytes: 1,
        }),
      );

      expect(error.message).not.toContain("hunter22");
      expect(error.url).toBe(`http://127.0.0.1:${port}/v1/credentials`);
    });
  });

  describe("with msw", () => {
    it("is intercepted by msw handlers before anything leaves the machine", async () => {
      mswServer.use(
        http.put("http://169.254.169.254/latest/api/token", ({ request }) =>
          request.headers.get("x-aws-ec2-metadata-token-ttl-seconds") === "21600"
            ? HttpResponse.text("imds-session-token")
            : new HttpResponse(null, { status: 400 }),
        ),
      );

      const response = await httpRequest({
        url: "http://169.254.169.254/latest/api/token",
        method: "PUT",
        headers: { "x-aws-ec2-metadata-token-ttl-seconds": "21600" },
        timeoutMs: 1000,
        maxBodyBytes: 1024,
      });

      expect(response).toMatchObject({ status: 200, body: "imds-session-token" });
    });

    it("keeps its deadline when an msw handler never answers", async () => {
      mswServer.use(
        http.get("http://169.254.169.254/latest/meta-data/iam/security-credentials/", async () => {
          await delay("infinite");
          return HttpResponse.text("never");
        }),
      );
      const url = "http://169.254.169.254/latest/meta-data/iam/security-credentials/";

      const error = await rejectionOf(httpRequest({ url, timeoutMs: 200, maxBodyBytes: 1024 }));

      // The handler never answers: only the deadline can end the request, and it says so.
      expect(error.kind).toBe("timeout");
      expect(error.message).toBe(`no complete answer from ${url} within 200 ms`);
    });
  });
});
