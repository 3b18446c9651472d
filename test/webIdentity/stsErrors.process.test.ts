// Specifies how IRSA handles STS errors, end to end (the built package in a pod process, AssumeRoleWithWebIdentity
// through the package's own STS client, against the fake STS at AWS_ENDPOINT_URL_STS): InvalidIdentityToken, AccessDenied, IDPRejectedClaim and ExpiredTokenException are final
// after one call; Throttling, IDPCommunicationError and InternalFailure are retried with backoff within the
// resolution deadline, then succeed (or fail at the deadline if they never stop).
import { describe } from "vitest";
import type { StsErrorCode } from "../../src/testing/index.js";
import { expectRun } from "../support/podAssertions.js";
import { irsaPod, ORDERS_ROLE_ARN, podTest } from "../support/podScenario.js";

/**
 * Far longer than any of these resolutions needs: only the "never stops" test is about the deadline, and it sets its
 * own.
 */
const RESOLUTION_MS = 8000;
const IRSA = { POD_CREDENTIALS_TIMEOUT_MS: "1000", POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS: String(RESOLUTION_MS) };

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
    podTest(`${code}`, async ({ expect, pod }) => {
      const { sts, env } = await irsaPod(pod, { mode: code });

      const run = await pod.run({ ...IRSA, ...env });

      await expectRun(expect, pod, run, {
        refused: {
          name: "CredentialSourceError",
          says: [`STS AssumeRoleWithWebIdentity for ${ORDERS_ROLE_ARN} failed with ${shown} (HTTP ${status})`, fix],
        },
      });
      expect(sts.calls).toHaveLength(1);
    });
  }

  podTest(
    "a token that STS does not accept (InvalidIdentityToken from the token itself): the token is never shown",
    async ({ expect, pod }) => {
      const accepted = pod.secrets.jwt();
      const { sts, token, env } = await irsaPod(pod, { expectedToken: accepted });

      const run = await pod.run({ ...IRSA, ...env });

      await expectRun(expect, pod, run, {
        refused: {
          name: "CredentialSourceError",
          says: ["failed with InvalidIdentityToken (HTTP 400)"],
        },
      });
      expect(sts.calls.map((call) => call.webIdentityToken)).toEqual([token]);
    },
  );

  podTest("a projected token past its exp: ExpiredTokenException, one call", async ({ expect, pod }) => {
    const { sts, tokenFile, env } = await irsaPod(pod, {}, pod.secrets.jwt({ expiresInSeconds: -60 }));

    const run = await pod.run({ ...IRSA, ...env });

    await expectRun(expect, pod, run, {
      refused: {
        name: "CredentialSourceError",
        says: ["failed with ExpiredTokenException (HTTP 400)", `the token in ${tokenFile} has expired`],
      },
    });
    expect(sts.calls).toHaveLength(1);
  });
});

describe.concurrent("STS errors that mean 'try again': retried with backoff, then success", () => {
  const PASSING: ReadonlyArray<{ code: StsErrorCode; times: number }> = [
    { code: "Throttling", times: 2 },
    { code: "IDPCommunicationError", times: 2 },
    { code: "InternalFailure", times: 1 },
  ];

  for (const { code, times } of PASSING) {
    podTest(
      `${code} ${times === 1 ? "once" : `${times} times`}, then ok: ${times + 1} calls`,
      async ({ expect, pod }) => {
        const { sts, token, env } = await irsaPod(pod);
        sts.setMode(code, { times });

        const run = await pod.run({ ...IRSA, ...env, POD_CREDENTIALS_LOG_LEVEL: "debug" });

        // 200 ms before the first retry, 400 ms before the second: as the debug lines plan them, in order, and no
        // sooner than their sum.
        const waits = [200, 400].slice(0, times);
        await expectRun(expect, pod, run, {
          credentials: { source: "webIdentity", accessKeyId: sts.issued[0]?.accessKeyId },
          resultNotBeforeMs: waits.reduce((sum, wait) => sum + wait, 0),
        });
        expect(sts.issued).toHaveLength(1);
        expect(sts.calls).toHaveLength(times + 1);
        const planned = [...`${run.stdout}${run.stderr}`.matchAll(/failed with (\w+).*; retrying in (\d+) ms/g)];
        expect(planned.map((line) => `${line[1]} ${line[2]} ms`)).toEqual(waits.map((wait) => `${code} ${wait} ms`));
        for (const call of sts.calls) {
          expect(call).toMatchObject({
            action: "AssumeRoleWithWebIdentity",
            roleArn: ORDERS_ROLE_ARN,
            webIdentityToken: token,
          });
        }
      },
    );
  }

  podTest("Throttling that never stops: CredentialSourceError at the resolution deadline", async ({ expect, pod }) => {
    const { sts, env } = await irsaPod(pod, { mode: "Throttling" });
    // Long enough for a loaded machine to load the SDK's STS client and still make a retry: the test is about the
    // deadline ending the retries, not about this number.
    const deadlineMs = 3000;

    const run = await pod.run({ ...IRSA, ...env, POD_CREDENTIALS_RESOLUTION_TIMEOUT_MS: String(deadlineMs) });

    await expectRun(expect, pod, run, {
      refused: {
        name: "CredentialSourceError",
        says: [
          new RegExp(
            `\\[webIdentity\\] (No credentials within the ${deadlineMs} ms resolution deadline|.*failed with Throttling)`,
          ),
        ],
      },
      resultNotBeforeMs: deadlineMs - 200,
    });
    // Retried: calls at about 0, 200, 600, 1400 ms, and one at the deadline at most (200 ms doubling, the last wait
    // cut to the deadline). A slower machine makes fewer, never more.
    expect(sts.calls.length).toBeGreaterThanOrEqual(2);
    expect(sts.calls.length).toBeLessThanOrEqual(5);
  });
});
