// The doctor shows what identity verification (POD_CREDENTIALS_VERIFY_IDENTITY) and role chaining
// (POD_CREDENTIALS_ASSUME_ROLE_ARN) did in the chain's run: in --json as new fields of `configuration` and `chain`
// (schema version 1 unchanged: reports without them still render), in the table as a row per hop and a "verified" row
// naming the role STS confirmed.
import { describe, expect, it } from "vitest";
import type { DoctorReport } from "../../src/doctor/doctorReport.js";
import { renderReport } from "../../src/doctor/renderReport.js";
import { runDoctor } from "../../src/doctor/runDoctor.js";
import { fakeSts } from "../../src/testing/index.js";
import { ORDERS_ROLE_ARN, secretToken, serveWithMsw, temporaryFile } from "../support/fakes.js";
import { findLeaks, recordOutput } from "../support/leakCheck.js";
import {
  configurationReport,
  credentialsSummary,
  EXPIRES,
  errorReportOf,
  failedChain,
  kube2iamPodReport,
  resolvedChain,
  sectionOf,
  showColours,
} from "./reportFixtures.js";
import { unusedLoopbackUrl } from "./servers.js";

const REPORTS_ROLE_ARN = "arn:aws:iam::210987654321:role/reports-writer";
const CHAIN_HEADING = "fromPodProviderChain() with this environment";

/** The doctor for an IRSA pod (nothing at the metadata endpoint), with `more` in its environment. */
const irsaDoctor = async (more: Record<string, string>) => {
  const token = secretToken({ expiresInSeconds: 86_400 });
  const sts = fakeSts({ trust: { [REPORTS_ROLE_ARN]: [ORDERS_ROLE_ARN] } });
  await serveWithMsw("https://sts.us-east-1.amazonaws.com", sts);
  const report = await runDoctor({
    env: {
      AWS_WEB_IDENTITY_TOKEN_FILE: await temporaryFile("token", token),
      AWS_ROLE_ARN: ORDERS_ROLE_ARN,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: await unusedLoopbackUrl(),
      ...more,
    },
    version: "0.0.0-test",
  });
  const text = renderReport(report, { color: false });
  recordOutput(JSON.stringify(report));
  recordOutput(text);
  const secrets = [token, ...sts.issued.flatMap((issued) => [issued.secretAccessKey, issued.sessionToken])];
  expect(findLeaks([JSON.stringify(report), text], secrets)).toEqual([]);
  return { report, text, sts };
};

describe("the doctor with verification and role chaining configured", () => {
  it("--json: the configuration, what STS confirmed for hop 1, and both hops", async () => {
    const { report, sts } = await irsaDoctor({
      POD_CREDENTIALS_VERIFY_IDENTITY: "true",
      POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS_ROLE_ARN,
      POD_CREDENTIALS_ASSUME_ROLE_SESSION_NAME: "orders-api",
    });

    expect(report).toMatchObject({ schemaVersion: 1, verdict: "podCredentials", exitCode: 0 });
    expect(report.configuration).toMatchObject({ verifyIdentity: true, assumeRoleArn: REPORTS_ROLE_ARN });
    const irsaSession = sts.issued[1]?.assumedRoleArn;
    const chained = sts.issued[2];
    expect(report.chain.identityVerification).toEqual({
      callerArn: irsaSession,
      accountId: "123456789012",
      declaredRoles: [{ role: ORDERS_ROLE_ARN, from: "AWS_ROLE_ARN" }],
      verifiedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(report.chain.hops).toEqual([
      {
        hop: 1,
        via: "webIdentity",
        configuredBy: "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN",
        roleArn: ORDERS_ROLE_ARN,
        roleName: "orders-reader",
        accountId: "123456789012",
        expiration: expect.any(String),
        assumedRoleArn: null,
      },
      {
        hop: 2,
        via: "assumeRole",
        configuredBy: "POD_CREDENTIALS_ASSUME_ROLE_ARN",
        roleArn: REPORTS_ROLE_ARN,
        roleName: "reports-writer",
        accountId: "210987654321",
        expiration: chained?.expiration.toISOString(),
        assumedRoleArn: "arn:aws:sts::210987654321:assumed-role/reports-writer/orders-api",
      },
    ]);
    // The examination of IRSA on its own, then the chain: AssumeRoleWithWebIdentity, GetCallerIdentity, AssumeRole.
    expect(sts.calls.map((call) => call.action)).toEqual([
      "AssumeRoleWithWebIdentity",
      "AssumeRoleWithWebIdentity",
      "GetCallerIdentity",
      "AssumeRole",
    ]);
  });

  it("the table: a row per hop and a verified row with the ARN STS confirmed", async () => {
    const { report, text } = await irsaDoctor({
      POD_CREDENTIALS_VERIFY_IDENTITY: "true",
      POD_CREDENTIALS_ASSUME_ROLE_ARN: REPORTS_ROLE_ARN,
      POD_CREDENTIALS_ASSUME_ROLE_SESSION_NAME: "orders-api",
    });
    const [hop1, hop2] = report.chain.hops ?? [];
    const lines = sectionOf(text, CHAIN_HEADING);

    expect(lines.filter((line) => /^ {2}(hop \d|verified) /.test(line))).toEqual([
      `  hop 1          webIdentity: role ${ORDERS_ROLE_ARN}, account 123456789012, expires ${hop1?.expiration}, ` +
        "via AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN",
      `  hop 2          assumeRole: role ${REPORTS_ROLE_ARN}, account 210987654321, session ` +
        `arn:aws:sts::210987654321:assumed-role/reports-writer/orders-api, expires ${hop2?.expiration}, ` +
        "via POD_CREDENTIALS_ASSUME_ROLE_ARN",
      `  verified       hop 1: STS says ${report.chain.identityVerification?.callerArn}, account 123456789012; ` +
        `matching ${ORDERS_ROLE_ARN} (AWS_ROLE_ARN)`,
    ]);
  });

  it("neither configured: the fields are false, null and empty, and the table has no such row", async () => {
    const { report, text } = await irsaDoctor({});

    expect(report.configuration).toMatchObject({ verifyIdentity: false, assumeRoleArn: null });
    expect(report.chain).toMatchObject({ status: "resolved", identityVerification: null, hops: [] });
    expect(sectionOf(text, CHAIN_HEADING).filter((line) => /^ {2}(hop \d|verified) /.test(line))).toEqual([]);
  });
});

describe("the verified and hop rows, line by line", () => {
  const chainLines = (overrides: Partial<DoctorReport>): string[] =>
    sectionOf(
      showColours(renderReport(kube2iamPodReport(overrides), { color: true })),
      `<bold>${CHAIN_HEADING}</>`,
    ).filter((line) => /^ {2}(hop \d|verified) /.test(line));

  it("a verified source without chaining: the ARN in green, and each declared role with where it was declared", () => {
    expect(
      chainLines({
        configuration: configurationReport({ verifyIdentity: true, assumeRoleArn: null }),
        chain: resolvedChain({
          identityVerification: {
            callerArn: "arn:aws:sts::123456789012:assumed-role/orders-reader/1a2b-orders-reader",
            accountId: "123456789012",
            declaredRoles: [
              { role: "orders-reader", from: "POD_CREDENTIALS_ROLE" },
              { role: "team/orders-reader", from: "POD_CREDENTIALS_EXPECTED_ROLE" },
            ],
            verifiedAt: EXPIRES,
          },
          hops: [],
        }),
      }),
    ).toEqual([
      "  verified       <green>STS says arn:aws:sts::123456789012:assumed-role/orders-reader/1a2b-orders-reader, " +
        "account 123456789012; matching orders-reader (POD_CREDENTIALS_ROLE), team/orders-reader " +
        "(POD_CREDENTIALS_EXPECTED_ROLE)</>",
    ]);
  });

  it("no declared role: says that only the node's role was ruled out", () => {
    const [line] = chainLines({
      configuration: configurationReport({ verifyIdentity: true }),
      chain: resolvedChain({
        identityVerification: {
          callerArn: "arn:aws:sts::123456789012:assumed-role/orders-reader/eks-orders",
          accountId: "123456789012",
          declaredRoles: [],
          verifiedAt: EXPIRES,
        },
      }),
    });
    expect(line).toMatch(/; no role declared: checked only that it is not the node's role<\/>$/);
  });

  it("a failed chain: the role it would have assumed dim, not verified in red", () => {
    expect(
      chainLines({
        configuration: configurationReport({ verifyIdentity: true, assumeRoleArn: REPORTS_ROLE_ARN }),
        chain: failedChain(errorReportOf({ fix: null })),
      }),
    ).toEqual([
      `  hop 2     <dim>assumeRole: role ${REPORTS_ROLE_ARN}, not assumed: the chain failed</>`,
      "  verified  <red>no: the chain gave no credentials (see the error)</>",
    ]);
  });

  it("a report made before these fields existed renders as before", () => {
    const lines = chainLines({ chain: resolvedChain({ credentials: credentialsSummary() }) });
    expect(lines).toEqual([]);
  });
});
