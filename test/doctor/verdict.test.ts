// The doctor's finding, rule by rule: which verdict, which exit code, and the exact sentence an operator reads.
import { describe, expect, it } from "vitest";
import { decideFinding, type FindingInput } from "../../src/doctor/runDoctor.js";
import {
  configurationReport,
  credentialsSummary,
  EXPIRES,
  errorReportOf,
  failedChain,
  imdsEndpoint,
  kube2iamEndpoint,
  ROLE_ARN,
  resolvedChain,
  sourceReport,
  unreachableEndpoint,
  verificationReport,
} from "./reportFixtures.js";

const input = (overrides: Partial<FindingInput> = {}): FindingInput => ({
  configuration: configurationReport(),
  chain: resolvedChain(),
  sources: [],
  metadataEndpoint: kube2iamEndpoint(),
  verification: null,
  ...overrides,
});

const noPodCredentials = failedChain(
  errorReportOf({
    name: "NoPodCredentialsError",
    source: null,
    message: "No pod-scoped credentials are configured. Fix: Configure IRSA.",
    fix: "Configure IRSA.",
  }),
);

const nodeProfile = (roleName: string | null, status: "ok" | "failed" = "ok") =>
  sourceReport({
    source: "instanceProfile",
    status,
    nodeCredentials: true,
    credentials: status === "ok" ? credentialsSummary({ roleArn: null, roleName }) : null,
  });

describe("the doctor's finding", () => {
  it("fails an invalid configuration first, whatever the chain did, quoting the problem without its fix", () => {
    const error = errorReportOf({
      name: "InvalidConfigurationError",
      message: "[config] POD_CREDENTIALS_SOURCES names an unknown source. Fix: Use known names.",
    });
    expect(decideFinding(input({ configuration: configurationReport({ error }) }))).toEqual({
      verdict: "failed",
      exitCode: 2,
      summary:
        "The configuration is invalid: InvalidConfigurationError: [config] POD_CREDENTIALS_SOURCES names an unknown source.",
    });
  });

  describe("when the chain resolves", () => {
    it("passes pod-scoped credentials with exit 0, naming role, account and expiry", () => {
      expect(decideFinding(input({ chain: resolvedChain({ credentials: credentialsSummary() }) }))).toEqual({
        verdict: "podCredentials",
        exitCode: 0,
        summary: `fromPodProviderChain() resolves pod-scoped credentials from kube2iam (role ${ROLE_ARN}, account 123456789012, expiring ${EXPIRES}).`,
      });
    });

    it("names the role by name when no ARN is known, and leaves out details it does not have", () => {
      const chain = resolvedChain({
        credentials: credentialsSummary({
          roleArn: null,
          roleName: "orders-reader",
          accountId: null,
          expiration: null,
        }),
      });
      expect(decideFinding(input({ chain })).summary).toBe(
        "fromPodProviderChain() resolves pod-scoped credentials from kube2iam (role orders-reader).",
      );
    });

    it("leaves out the parentheses when nothing is known about the credentials, and says so for an unknown source", () => {
      const chain = resolvedChain({
        source: null,
        credentials: credentialsSummary({ roleArn: null, roleName: null, accountId: null, expiration: null }),
      });
      expect(decideFinding(input({ chain })).summary).toBe(
        "fromPodProviderChain() resolves pod-scoped credentials from unknown.",
      );
      expect(decideFinding(input({ chain: resolvedChain({ source: null, credentials: null }) })).summary).toBe(
        "fromPodProviderChain() resolves pod-scoped credentials from unknown.",
      );
    });

    it("adds whom STS says the credentials belong to after --verify", () => {
      const chain = resolvedChain({ credentials: credentialsSummary({ accountId: null, expiration: null }) });
      expect(decideFinding(input({ chain, verification: verificationReport() }))).toEqual({
        verdict: "podCredentials",
        exitCode: 0,
        summary:
          `fromPodProviderChain() resolves pod-scoped credentials from kube2iam (role ${ROLE_ARN}); STS says they ` +
          "belong to arn:aws:sts::123456789012:assumed-role/orders-reader/pod-credentials-web-1.",
      });
    });

    it("adds nothing when --verify succeeded without an ARN, or was skipped", () => {
      const chain = resolvedChain({ credentials: credentialsSummary({ accountId: null, expiration: null }) });
      const expected = `fromPodProviderChain() resolves pod-scoped credentials from kube2iam (role ${ROLE_ARN}).`;
      expect(decideFinding(input({ chain, verification: verificationReport({ arn: null }) })).summary).toBe(expected);
      expect(
        decideFinding(input({ chain, verification: verificationReport({ status: "skipped", arn: null }) })).summary,
      ).toBe(expected);
    });

    it("fails with exit 2 when STS rejects the credentials the chain resolved", () => {
      const verification = verificationReport({
        status: "failed",
        arn: null,
        error: errorReportOf({
          name: "VerificationError",
          message: "STS GetCallerIdentity failed with InvalidClientTokenId (HTTP 403): bad token Fix: check the role.",
        }),
      });
      const chain = resolvedChain({
        source: "webIdentity",
        credentials: credentialsSummary({ accountId: null, expiration: null }),
      });
      expect(decideFinding(input({ chain, verification }))).toEqual({
        verdict: "failed",
        exitCode: 2,
        summary:
          `fromPodProviderChain() resolves webIdentity credentials (role ${ROLE_ARN}), but STS GetCallerIdentity ` +
          "rejects them: VerificationError: STS GetCallerIdentity failed with InvalidClientTokenId (HTTP 403): bad token",
      });
      expect(
        decideFinding(input({ chain: { ...chain, source: null }, verification })).summary.startsWith(
          "fromPodProviderChain() resolves unknown credentials",
        ),
      ).toBe(true);
    });

    it("does not fail on a failed --verify that carries no error", () => {
      const verification = verificationReport({ status: "failed", arn: null, error: null });
      expect(decideFinding(input({ verification })).verdict).toBe("podCredentials");
    });

    it("calls the node's instance-profile role node credentials, exit 2, even though the chain was allowed to use it", () => {
      const chain = resolvedChain({
        source: "instanceProfile",
        credentials: credentialsSummary({ roleArn: null, roleName: "eks-node-role", expiration: null }),
      });
      // --verify succeeding does not make the node's role pod-scoped.
      expect(decideFinding(input({ chain, verification: verificationReport() }))).toEqual({
        verdict: "nodeCredentialsOnly",
        exitCode: 2,
        summary:
          "fromPodProviderChain() resolves the node's instance-profile role (role eks-node-role, account " +
          "123456789012) because node credentials are allowed: every pod on this node shares it. Configure IRSA, EKS " +
          "Pod Identity or kube2iam/kiam for this pod.",
      });
    });
  });

  describe("when the chain fails", () => {
    it("calls a refused node role node credentials, exit 2, quoting the refusal", () => {
      const chain = failedChain(
        errorReportOf({
          name: "NodeCredentialsRefusedError",
          message: "[kube2iam] The metadata endpoint is the real EC2 IMDS. Fix: Install kube2iam.",
        }),
      );
      expect(decideFinding(input({ chain }))).toEqual({
        verdict: "nodeCredentialsOnly",
        exitCode: 2,
        summary:
          "Only the node's credentials are on offer, and the chain refuses them: NodeCredentialsRefusedError: " +
          "[kube2iam] The metadata endpoint is the real EC2 IMDS.",
      });
    });

    it("fails a broken source with exit 2, quoting its error without the fix", () => {
      expect(decideFinding(input({ chain: failedChain(errorReportOf()) }))).toEqual({
        verdict: "failed",
        exitCode: 2,
        summary:
          "fromPodProviderChain() fails: CredentialSourceError: [webIdentity] The web-identity token file " +
          "/var/run/token does not exist.",
      });
    });

    it("fails with an unknown error when the chain failed without one", () => {
      expect(decideFinding(input({ chain: failedChain(errorReportOf(), { error: null }) }))).toEqual({
        verdict: "failed",
        exitCode: 2,
        summary: "fromPodProviderChain() fails: unknown error",
      });
    });

    describe("because nothing pod-scoped is configured", () => {
      it("behind the real IMDS: node credentials only, naming the node's role", () => {
        expect(
          decideFinding(
            input({
              chain: noPodCredentials,
              metadataEndpoint: imdsEndpoint(),
              sources: [nodeProfile("eks-node-role")],
            }),
          ),
        ).toEqual({
          verdict: "nodeCredentialsOnly",
          exitCode: 2,
          summary:
            "Nothing pod-scoped is configured; the metadata endpoint is the real EC2 IMDS and offers the node's role " +
            "eks-node-role, which the chain refuses (node credentials are not allowed).",
        });
      });

      it("behind the real IMDS whose role could not be fetched: node credentials only, without a role", () => {
        for (const sources of [[], [nodeProfile("eks-node-role", "failed")], [nodeProfile(null)]]) {
          expect(decideFinding(input({ chain: noPodCredentials, metadataEndpoint: imdsEndpoint(), sources }))).toEqual({
            verdict: "nodeCredentialsOnly",
            exitCode: 2,
            summary:
              "Nothing pod-scoped is configured; the metadata endpoint is the real EC2 IMDS, which the chain refuses " +
              "(node credentials are not allowed).",
          });
        }
      });

      it("when the probe got no answer but the node's role was fetched: node credentials only", () => {
        expect(
          decideFinding(
            input({
              chain: noPodCredentials,
              metadataEndpoint: unreachableEndpoint(),
              sources: [nodeProfile("eks-node-role")],
            }),
          ),
        ).toMatchObject({
          verdict: "nodeCredentialsOnly",
          summary:
            "Nothing pod-scoped is configured; the metadata endpoint did not answer the probe and offers the node's role " +
            "eks-node-role, which the chain refuses (node credentials are not allowed).",
        });
      });

      it.each(["kube2iam", "kiam", "metadataProxy"] as const)(
        "behind %s offering a role: not configured, and says how to declare the role",
        (kind) => {
          const metadataEndpoint = kube2iamEndpoint({ kind, description: `the ${kind}` });
          expect(decideFinding(input({ chain: noPodCredentials, metadataEndpoint }))).toEqual({
            verdict: "notConfigured",
            exitCode: 2,
            summary:
              `Nothing pod-scoped is declared, but the ${kind} at http://127.0.0.1:8181 offers the role orders-reader ` +
              "to this pod: declare it (the iam.amazonaws.com/role annotation through a downward-API volume at " +
              "/etc/podinfo, or POD_CREDENTIALS_ROLE) so that the chain can verify and use it.",
          });
        },
      );

      it("names the metadata endpoint in words when its URL is unknown", () => {
        const metadataEndpoint = kube2iamEndpoint({ url: null });
        expect(decideFinding(input({ chain: noPodCredentials, metadataEndpoint })).summary).toContain(
          "but kube2iam at the metadata endpoint offers the role orders-reader",
        );
      });

      it.each([
        ["nothing answers and the node gave no role", unreachableEndpoint(), [nodeProfile(null, "failed")]],
        ["a proxy offers no role", kube2iamEndpoint({ offeredRole: null }), []],
        ["the endpoint setting is invalid", unreachableEndpoint({ kind: "invalid", offeredRole: "x" }), []],
      ])("when %s: not configured, nothing on offer", (_, metadataEndpoint, sources) => {
        expect(decideFinding(input({ chain: noPodCredentials, metadataEndpoint, sources }))).toEqual({
          verdict: "notConfigured",
          exitCode: 2,
          summary: "Nothing pod-scoped is configured for this pod, and no node role is on offer either.",
        });
      });
    });
  });
});
