// Loaded before every test file: msw intercepts every request made through node:http/https. Requests with no
// handler pass through only to loopback addresses (our own fake servers); anything else fails the test, so no test
// can reach a real AWS endpoint or the real instance metadata service.
import { afterAll, afterEach, beforeAll } from "vitest";
import { mswServer } from "./mswServer.js";

const LOOPBACK_HOSTS = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

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
