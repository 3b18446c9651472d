// The AssumeRole example of docs/testing.md, run as written (imports adjusted to the source tree). If this fails, fix
// the guide.
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { expect, it, vi } from "vitest";
import { fromPodProviderChain, noopLogger } from "../../src/index.js";
import { createFakeJwt, fakePodIdentityAgent, fakeSts, startLoopbackServer } from "../../src/testing/index.js";

it("the guide's role-chaining example", async () => {
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  // --- from docs/testing.md ---
  const TARGET = "arn:aws:iam::210987654321:role/reports-writer";
  const agent = await startLoopbackServer(fakePodIdentityAgent().handler); // the pod's role: orders-reader
  const sts = fakeSts({ trust: { [TARGET]: ["arn:aws:iam::123456789012:role/orders-reader"] } });
  const stsServer = await startLoopbackServer(sts.handler);

  const pod = fromPodProviderChain({
    env: {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${agent.url}/v1/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: createFakeJwt(),
    },
    logger: noopLogger,
  });
  const reports = fromTemporaryCredentials({
    masterCredentials: pod,
    params: { RoleArn: TARGET, RoleSessionName: "reports", DurationSeconds: 3600 },
    clientConfig: { endpoint: stsServer.url, region: "us-east-1" },
  });
  await reports(); // DurationSeconds: 7200 would be ValidationError (role chaining); another role, AccessDenied
  console.log(sts.calls[0]?.signature, sts.calls[0]?.callerArn, sts.issued[0]?.chained);
  // verified arn:aws:sts::123456789012:assumed-role/orders-reader/eks-cluster-orders-<uuid> true
  await Promise.all([agent.close(), stsServer.close()]);
  // --- end ---
  expect(log).toHaveBeenCalledTimes(1);
  const [signature, callerArn, chained] = log.mock.calls[0] ?? [];
  expect(signature).toBe("verified");
  expect(callerArn).toMatch(
    /^arn:aws:sts::123456789012:assumed-role\/orders-reader\/eks-cluster-orders-[0-9a-f-]{36}$/,
  );
  expect(chained).toBe(true);
});
