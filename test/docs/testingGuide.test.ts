// The example of docs/testing.md, run as written (imports adjusted to the source tree). If this fails, fix the guide.
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { fromPodProviderChain, isPodCredentialsError } from "../../src/index.js";
import { fakeImds, fakeKiam, mswHandlers } from "../../src/testing/index.js";

// --- from docs/testing.md ---
const METADATA = "http://169.254.169.254";
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

// The service under test builds its credentials like this at start-up.
const startService = async (env: Record<string, string>) => {
  const credentials = fromPodProviderChain({ env, logger: { debug() {}, info() {}, warn() {}, error() {} } });
  await credentials(); // fail fast: no credentials, no service
  return credentials;
};

describe("orders-service credentials", () => {
  it("works under kiam with its declared role", async () => {
    const kiam = fakeKiam({ podRole: "orders-reader" });
    server.use(...(await mswHandlers(METADATA, kiam.handler)));

    const credentials = await startService({ POD_CREDENTIALS_ROLE: "orders-reader" });

    expect(credentials.describe()).toMatchObject({ source: "kube2iam", roleName: "orders-reader" });
  });

  it("refuses to start with the node's role when nothing intercepts the metadata service", async () => {
    server.use(...(await mswHandlers(METADATA, fakeImds().handler)));

    const failure = await startService({
      POD_CREDENTIALS_ROLE: "orders-reader",
      POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "0",
    }).catch((error: unknown) => error);

    expect(isPodCredentialsError(failure, "NodeCredentialsRefusedError")).toBe(true);
  });

  it("refuses to start when no pod identity is configured at all", async () => {
    const failure = await startService({}).catch((error: unknown) => error);
    expect(isPodCredentialsError(failure, "NoPodCredentialsError")).toBe(true);
  });
});
// --- end ---
