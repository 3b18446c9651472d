// Loopback servers for the doctor's tests, closed after each test.
import { afterEach } from "vitest";
import { type FakeHandler, type LoopbackServer, startLoopbackServer } from "../../src/testing/index.js";

let open: LoopbackServer[] = [];

afterEach(async () => {
  await Promise.all(open.map((server) => server.close()));
  open = [];
});

/** Serves a fake on 127.0.0.1 until the end of the test; returns its base URL. */
export const serve = async (fake: { handler: FakeHandler } | FakeHandler): Promise<string> => {
  const server = await startLoopbackServer(typeof fake === "function" ? fake : fake.handler);
  open.push(server);
  return server.url;
};

/** A loopback URL where nothing listens (a server started and closed at once): connections are refused. */
export const unusedLoopbackUrl = async (): Promise<string> => {
  const server = await startLoopbackServer(async () => new Response(null, { status: 204 }));
  await server.close();
  return server.url;
};
