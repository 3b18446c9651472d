// The loopback-server example of docs/testing.md, run as written (imports adjusted to the source tree).
import { describe, expect, it } from "vitest";
import { fromPodProviderChain, noopLogger } from "../../src/index.js";
import { fakeKiam, startLoopbackServer } from "../../src/testing/index.js";

// --- from docs/testing.md ---
describe("orders-service credentials, against a real HTTP server", () => {
  it("works under kiam", async () => {
    const kiam = fakeKiam({ podRole: "orders-reader" });
    const metadata = await startLoopbackServer(kiam.handler);
    try {
      const credentials = fromPodProviderChain({
        env: { POD_CREDENTIALS_ROLE: "orders-reader", AWS_EC2_METADATA_SERVICE_ENDPOINT: metadata.url },
        logger: noopLogger,
      });
      await credentials();
      expect(kiam.requests.map((request) => request.path)).toEqual([
        "/latest/meta-data/iam/security-credentials/",
        "/latest/meta-data/iam/security-credentials/orders-reader",
      ]);
    } finally {
      await metadata.close();
    }
  });
});
// --- end ---
