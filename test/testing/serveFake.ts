// Serves a fake through either adapter, so each behaviour is asserted over real loopback HTTP and through msw.

import { type FakeHandler, mswHandlers, startLoopbackServer } from "../../src/testing/index.js";
import { mswServer } from "../support/mswServer.js";

export const ADAPTERS = ["loopback", "msw"] as const;
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
