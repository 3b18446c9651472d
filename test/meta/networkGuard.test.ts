import { request } from "node:http";
import { describe, expect, it } from "vitest";

describe("the test network guard", () => {
  it("refuses a connection outside loopback even when it bypasses msw", async () => {
    // `request` was imported by name before msw patched node:http, so msw does not see this call.
    const outcome = await new Promise<string>((resolve) => {
      try {
        const outgoing = request("http://169.254.169.254/latest/meta-data/", () => resolve("answered"));
        outgoing.on("error", (error) => resolve(`error: ${error.message}`));
        outgoing.end();
      } catch (error) {
        resolve(`thrown: ${(error as Error).message}`);
      }
    });
    expect(outcome).toMatch(/only loopback addresses are allowed/);
  });
});
