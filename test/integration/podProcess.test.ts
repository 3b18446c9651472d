import { afterEach, describe, expect, it } from "vitest";
import { fakeImds, fakeKube2iam, type LoopbackServer, startLoopbackServer } from "../../src/testing/index.js";
import { runPod } from "../support/runPod.js";

let servers: LoopbackServer[] = [];
const serve = async (handler: Parameters<typeof startLoopbackServer>[0]) => {
  const server = await startLoopbackServer(handler);
  servers.push(server);
  return server;
};
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

describe("the built package in a pod process, configured by environment variables alone", () => {
  it("stays alive while it waits out the start-up window, then refuses the real IMDS", async () => {
    const imds = await serve(fakeImds().handler);
    const run = await runPod({
      POD_CREDENTIALS_ROLE: "orders-reader",
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
      POD_CREDENTIALS_STARTUP_TIMEOUT_MS: "600",
    });
    expect(run.result).toMatchObject({ ok: false, name: "NodeCredentialsRefusedError" });
    expect(run.exitCode).toBe(2);
    expect(run.elapsedMs).toBeGreaterThanOrEqual(600);
  });

  it("gets kube2iam credentials for the declared role", async () => {
    const kube2iam = fakeKube2iam({ podRole: "orders-reader", upstream: fakeImds().handler });
    const proxy = await serve(kube2iam.handler);
    const run = await runPod({ POD_CREDENTIALS_ROLE: "orders-reader", AWS_EC2_METADATA_SERVICE_ENDPOINT: proxy.url });
    expect(run.result).toEqual({ ok: true, source: "kube2iam", accessKeyId: kube2iam.credentials.accessKeyId });
    expect(run.stderr).not.toContain(kube2iam.credentials.secretAccessKey);
  });
});
