// STS errors, end to end (IRSA: AssumeRoleWithWebIdentity through the SDK, against the fake STS at
// AWS_ENDPOINT_URL_STS): InvalidIdentityToken, AccessDenied, IDPRejectedClaim and ExpiredTokenException are final
// after one call; Throttling, IDPCommunicationError and InternalFailure are retried with backoff within the
// resolution deadline, then succeed (or fail at the deadline if they never stop).
import { describe, it } from "vitest";
import type { StsErrorCode } from "../../src/testing/index.js";
import { expectCredentials, expectRefusal } from "../support/podAssertions.js";
import {
  expectNothingLeaked,
  irsaPod,
  latestFinishAfterStartUp,
  ORDERS_ROLE_ARN,
  podScenario,
} from "../support/podScenario.js";

const RESOLUTION_MS = 3000;
const IRSA = { POD_CREDENTIALS_TIMEOUT_MS: "500", POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS: String(RESOLUTION_MS) };

const within = latestFinishAfterStartUp();

describe.concurrent("final STS errors: one call, then a CredentialSourceError with the code and the fix", () => {
  const FINAL: ReadonlyArray<{ code: StsErrorCode; status: number; shown: string; fix: string }> = [
    {
      code: "InvalidIdentityToken",
      status: 400,
      shown: "InvalidIdentityToken",
      fix: "check that the cluster's OIDC provider is registered in IAM",
    },
    {
      code: "AccessDenied",
      status: 403,
      shown: "AccessDenied",
      fix: `the trust policy of ${ORDERS_ROLE_ARN} does not let this service account assume it`,
    },
    { code: "IDPRejectedClaim", status: 403, shown: "IDPRejectedClaim", fix: `the trust policy of ${ORDERS_ROLE_ARN}` },
    {
      code: "ExpiredTokenException",
      status: 400,
      shown: "ExpiredTokenException",
      fix: "has expired: kubelet rotates projected tokens",
    },
  ];

  for (const { code, status, shown, fix } of FINAL) {
    it(`${code}`, async ({ expect, onTestFinished }) => {
      const pod = podScenario(onTestFinished);
      const { sts, env } = await irsaPod(pod, { mode: code });

      const run = await pod.run({ ...IRSA, ...env });

      expectRefusal(expect, run, {
        name: "CredentialSourceError",
        says: [`STS AssumeRoleWithWebIdentity for ${ORDERS_ROLE_ARN} failed with ${shown} (HTTP ${status})`, fix],
      });
      expect(sts.calls).toHaveLength(1);
      expect(run.elapsedMs).toBeLessThan(within(0));
      await expectNothingLeaked(expect, pod, run);
    });
  }

  it("a token that STS does not accept (InvalidIdentityToken from the token itself): the token is never shown", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const accepted = pod.secrets.jwt();
    const { sts, token, env } = await irsaPod(pod, { expectedToken: accepted });

    const run = await pod.run({ ...IRSA, ...env });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: ["failed with InvalidIdentityToken (HTTP 400)"],
    });
    expect(sts.calls.map((call) => call.webIdentityToken)).toEqual([token]);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });

  it("a projected token past its exp: ExpiredTokenException, one call", async ({ expect, onTestFinished }) => {
    const pod = podScenario(onTestFinished);
    const { sts, tokenFile, env } = await irsaPod(pod, {}, pod.secrets.jwt({ expiresInSeconds: -60 }));

    const run = await pod.run({ ...IRSA, ...env });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: ["failed with ExpiredTokenException (HTTP 400)", `the token in ${tokenFile} has expired`],
    });
    expect(sts.calls).toHaveLength(1);
    expect(run.elapsedMs).toBeLessThan(within(0));
    await expectNothingLeaked(expect, pod, run);
  });
});

describe.concurrent("STS errors that mean 'try again': retried with backoff, then success", () => {
  const PASSING: ReadonlyArray<{ code: StsErrorCode; times: number }> = [
    { code: "Throttling", times: 2 },
    { code: "IDPCommunicationError", times: 2 },
    { code: "InternalFailure", times: 1 },
  ];

  for (const { code, times } of PASSING) {
    it(`${code} ${times === 1 ? "once" : `${times} times`}, then ok: ${times + 1} calls`, async ({
      expect,
      onTestFinished,
    }) => {
      const pod = podScenario(onTestFinished);
      const { sts, token, env } = await irsaPod(pod);
      sts.setMode(code, { times });

      const run = await pod.run({ ...IRSA, ...env });

      expectCredentials(expect, run, { source: "webIdentity", accessKeyId: sts.issued[0]?.accessKeyId });
      expect(sts.issued).toHaveLength(1);
      expect(sts.calls).toHaveLength(times + 1);
      for (const call of sts.calls) {
        expect(call).toMatchObject({
          action: "AssumeRoleWithWebIdentity",
          roleArn: ORDERS_ROLE_ARN,
          webIdentityToken: token,
        });
      }
      // 200 ms before the first retry, 400 ms before the second.
      const backoffMs = times === 1 ? 200 : 600;
      expect(run.resultAtMs).toBeGreaterThanOrEqual(backoffMs);
      expect(run.elapsedMs).toBeLessThan(within(backoffMs));
      await expectNothingLeaked(expect, pod, run);
    });
  }

  it("Throttling that never stops: CredentialSourceError at the resolution deadline", async ({
    expect,
    onTestFinished,
  }) => {
    const pod = podScenario(onTestFinished);
    const { sts, env } = await irsaPod(pod, { mode: "Throttling" });

    const run = await pod.run({ ...IRSA, ...env, POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS: "1200" });

    expectRefusal(expect, run, {
      name: "CredentialSourceError",
      says: [/\[webIdentity\] (No credentials within the 1200 ms resolution deadline|.*failed with Throttling)/],
    });
    expect(sts.calls.length).toBeGreaterThanOrEqual(2);
    expect(sts.calls.length).toBeLessThanOrEqual(4);
    expect(run.resultAtMs).toBeGreaterThanOrEqual(1000);
    expect(run.elapsedMs).toBeLessThan(within(1200));
    await expectNothingLeaked(expect, pod, run);
  });
});
