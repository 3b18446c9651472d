// Serves a fake through either adapter, so each behaviour is asserted over real loopback HTTP and through msw.

import { afterEach, beforeEach } from "vitest";
import { type FakeHandler, type LoopbackServer, mswHandlers, startLoopbackServer } from "../../src/testing/index.js";
import { mswServer } from "../support/mswServer.js";

export const ADAPTERS = ["loopback", "msw"] as const;

/** A fixed "now" for the fakes' clocks, and the path every metadata proxy answers the role listing on. */
export const NOW = new Date("2030-01-01T00:00:00Z");
export const LISTING_PATH = "/latest/meta-data/iam/security-credentials/";
export type Adapter = (typeof ADAPTERS)[number];

export interface Served {
  readonly baseUrl: string;
  close(): Promise<void>;
}

/** Serves `handler` on a loopback port, or through msw at `mswBaseUrl` (a link-local address nothing can reach). */
export const serve = async (adapter: Adapter, handler: FakeHandler, mswBaseUrl: string): Promise<Served> => {
  if (adapter === "loopback") {
    const server = await startLoopbackServer(handler);
    return { baseUrl: server.url, close: () => server.close() };
  }
  mswServer.use(...(await mswHandlers(mswBaseUrl, handler)));
  return { baseUrl: mswBaseUrl, close: async () => {} };
};

/**
 * Serves, before each test of the enclosing `describe`, the fake `make()` builds (through `adapter`; msw at the
 * metadata address), and closes it after the test; `url(path)` addresses it.
 */
export const serveEach = (
  adapter: Adapter,
  make: () => { handler: FakeHandler },
  mswBaseUrl = "http://169.254.169.254",
): { url: (path: string) => string } => {
  let served: Served | undefined;
  beforeEach(async () => {
    served = await serve(adapter, make().handler, mswBaseUrl);
  });
  afterEach(() => served?.close());
  return { url: (path) => `${served?.baseUrl}${path}` };
};

/** Runs `use` with a loopback server answering through `handler`, and closes the server however `use` ends. */
export const withLoopbackServer = async (
  handler: FakeHandler,
  use: (server: LoopbackServer) => Promise<void>,
): Promise<void> => {
  const server = await startLoopbackServer(handler);
  try {
    await use(server);
  } finally {
    await server.close();
  }
};

/** The response's headers as a plain object with lower-case names. */
export const headersOf = (response: Response): Record<string, string> => Object.fromEntries(response.headers.entries());

/** Fetches and reads the body, with a deadline so no test can hang. */
export const call = async (
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: string; headers: Record<string, string> }> => {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000), ...init });
  return { status: response.status, body: await response.text(), headers: headersOf(response) };
};

/** The text of the first `<name>` element of an XML answer, as a client reads one field of it. */
export const field = (xml: string, name: string): string | undefined =>
  new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

/** A query-protocol request's fetch options: the fields as a form body, as the SDKs send them. */
export const form = (fields: Record<string, string>, method = "POST"): RequestInit => ({
  method,
  headers: { "Content-Type": "application/x-www-form-urlencoded; charset=utf-8" },
  body: new URLSearchParams(fields).toString(),
});

/** The role the STS suites assume. */
export const ROLE_ARN = "arn:aws:iam::123456789012:role/team/orders-reader";

/** An unsigned AssumeRoleWithWebIdentity for ROLE_ARN with `token`, as the SDK sends it; `fields` replace any field. */
export const assumeWithWebIdentity = (baseUrl: string, token: string, fields: Record<string, string> = {}) =>
  call(
    baseUrl,
    form({
      Action: "AssumeRoleWithWebIdentity",
      Version: "2011-06-15",
      RoleArn: ROLE_ARN,
      RoleSessionName: "orders-session",
      WebIdentityToken: token,
      ...fields,
    }),
  );
