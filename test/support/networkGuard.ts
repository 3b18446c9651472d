// Loaded before every test file. Two guards keep every test on this machine:
// 1. msw intercepts every request made through node:http/https. Requests with no handler pass through only to
//    loopback addresses (our own fake servers); anything else fails the test.
// 2. Below msw, every socket connection is checked: one to an address outside 127.0.0.0/8 and ::1 is refused. This
//    catches code that bypasses msw (for example a `request` function imported before msw patched node:http).
import net from "node:net";
import { afterAll, afterEach, beforeAll } from "vitest";
import { mswServer } from "./mswServer.js";

const LOOPBACK_HOSTS = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)$/;

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  // net.createConnection passes its normalized arguments as one array: [options, callback].
  const [first, second] = (Array.isArray(args[0]) ? args[0] : args) as [unknown, unknown];
  const options = typeof first === "object" && first !== null ? (first as net.NetConnectOpts) : undefined;
  const host = options
    ? "host" in options
      ? options.host
      : undefined
    : typeof second === "string"
      ? second
      : undefined;
  const isPipe = options ? typeof (options as { path?: unknown }).path === "string" : typeof first === "string";
  if (!isPipe && host !== undefined && !LOOPBACK_HOSTS.test(host)) {
    throw new Error(`Test tried to open a connection to ${host}: only loopback addresses are allowed in tests.`);
  }
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

beforeAll(() => {
  mswServer.listen({
    onUnhandledRequest(request) {
      const { hostname } = new URL(request.url);
      if (!LOOPBACK_HOSTS.test(hostname)) {
        throw new Error(`Test tried to reach ${request.url}: only loopback addresses are allowed in tests.`);
      }
    },
  });
});
afterEach(() => mswServer.resetHandlers());
afterAll(() => mswServer.close());
