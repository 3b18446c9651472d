import { describe, expect, it } from "vitest";
import type { DoctorReport, FileReport, MetadataEndpointReport, SourceReport } from "../../src/doctor/doctorReport.js";
import { formatTable, renderReport } from "../../src/doctor/renderReport.js";
import { runDoctor } from "../../src/doctor/runDoctor.js";
import { fakeImds, fakeKube2iam } from "../../src/testing/index.js";
import { secretCredentials } from "../support/fakes.js";
import { findLeaks, recordOutput } from "../support/leakCheck.js";
import {
  configurationReport,
  credentialsSummary,
  EXPIRES,
  errorReportOf,
  failedChain,
  fileReport,
  imdsEndpoint,
  kube2iamEndpoint,
  kube2iamPodReport,
  ROLE_ARN,
  resolvedChain,
  sectionOf,
  showColours,
  sourceReport,
  unreachableEndpoint,
  verificationReport,
} from "./reportFixtures.js";
import { serve } from "./servers.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for ANSI escapes is the point.
const ANSI = /\u001b\[/;

const kube2iamReport = async (): Promise<{ report: DoctorReport; secrets: string[] }> => {
  const issued = secretCredentials("KUBE2IAM");
  const proxy = fakeKube2iam({
    podRole: "orders-reader",
    credentials: issued,
    upstream: fakeImds({ credentials: secretCredentials("NODE") }).handler,
  });
  const report = await runDoctor({
    env: { POD_CREDENTIALS_ROLE: "orders-reader", AWS_EC2_METADATA_SERVICE_ENDPOINT: await serve(proxy) },
    version: "1.2.3",
  });
  return { report, secrets: [issued.accessKeyId, issued.secretAccessKey, issued.sessionToken] };
};

describe("the terminal report", () => {
  it("shows the endpoint, every source, the chain and the verdict last, with no secret and no colour when asked", async () => {
    const { report, secrets } = await kube2iamReport();
    const text = renderReport(report, { color: false });
    recordOutput(text);

    expect(text).not.toMatch(ANSI);
    expect(text).toMatch(/^pod-credentials doctor 1\.2\.3/);
    expect(text).toMatch(/answers\s+kube2iam/);
    expect(text).toMatch(/\/healthz\s+kube2iam on host 10\.0\.0\.1/);
    expect(text).toMatch(/3 {2}kube2iam {9}ok {6}role orders-reader, key …\w{4}, expires/);
    expect(text).toMatch(/result\s+resolved from kube2iam/);
    expect(text).toContain("info  pod-credentials: using kube2iam credentials for role orders-reader");
    expect(text.trimEnd().split("\n").slice(-2)).toEqual([
      "  OK: pod-scoped credentials (exit 0)",
      `  ${report.summary}`,
    ]);
    expect(findLeaks([text], secrets)).toEqual([]);
  });

  it("colours only when asked, and keeps the columns aligned", async () => {
    const { report } = await kube2iamReport();
    const coloured = renderReport(report, { color: true });
    expect(coloured).toMatch(ANSI);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes.
    expect(coloured.replace(/\u001b\[\d+m/g, "")).toBe(renderReport(report, { color: false }));
  });

  it("pads every column but the last to its widest cell", () => {
    const lines = formatTable([
      [{ text: "a" }, { text: "longer" }, { text: "x" }],
      [{ text: "bbb" }, { text: "s" }, { text: "y" }],
    ]);
    expect(lines).toEqual(["  a    longer  x", "  bbb  s       y"]);
  });
});

const plain = (report: DoctorReport): string => renderReport(report, { color: false });
const coloured = (report: DoctorReport): string => showColours(renderReport(report, { color: true }));
const CHAIN_HEADING = "fromPodProviderChain() with this environment";
/** The lines under `heading` in the kube2iam pod's report with `overrides`, plain or with its colours shown. */
const section = (overrides: Partial<DoctorReport>, heading: string, color = false): string[] =>
  color
    ? sectionOf(coloured(kube2iamPodReport(overrides)), `<bold>${heading}</>`)
    : sectionOf(plain(kube2iamPodReport(overrides)), heading);

describe("the terminal report, line by line", () => {
  it("renders a kube2iam pod whose chain resolves as these exact lines, verdict last", () => {
    expect(plain(kube2iamPodReport())).toBe(
      [
        "pod-credentials doctor 1.2.3  2026-11-27T21:00:00.000Z, 42 ms",
        "",
        "Metadata endpoint",
        "  url           http://127.0.0.1:8181 (from AWS_EC2_METADATA_SERVICE_ENDPOINT)",
        "  answers       kube2iam",
        "  role listing  HTTP 200 (role: orders-reader) to an invalid IMDSv2 token",
        "  /healthz      kube2iam on host 10.0.0.1, instance i-0123456789abcdef0",
        "  offers role   orders-reader",
        "",
        "Sources, each examined on its own",
        "  #  SOURCE           STATUS  DETAIL",
        "  1  webIdentity      absent  AWS_WEB_IDENTITY_TOKEN_FILE is not set",
        "  2  podIdentity      absent  AWS_CONTAINER_CREDENTIALS_FULL_URI is not set",
        `  3  kube2iam         ok      role orders-reader, key …WXYZ, expires ${EXPIRES}, via POD_CREDENTIALS_ROLE`,
        "  4  instanceProfile  ok      through kube2iam, not the node: role orders-reader, key …WXYZ, expires " +
          `${EXPIRES}, via the metadata endpoint`,
        "  -  env              absent  not in the chain's sources",
        "  -  sharedConfig     absent  not in the chain's sources",
        '  (# is the position in the chain; "-": the chain does not use the source)',
        "",
        "Files",
        "  annotations  /etc/podinfo/annotations  ok  58 bytes, written 2026-11-27T20:59:00.000Z, declares role orders-reader",
        "",
        "Environment",
        "  AWS_EC2_METADATA_SERVICE_ENDPOINT  http://127.0.0.1:8181/",
        "  POD_CREDENTIALS_ROLE               orders-reader",
        "",
        "fromPodProviderChain() with this environment",
        "  sources        webIdentity → podIdentity → kube2iam → instanceProfile (node credentials refused)",
        "  result         resolved from kube2iam",
        "  role           orders-reader",
        "  account        123456789012",
        "  access key     …WXYZ",
        `  expires        ${EXPIRES}`,
        "  configured by  POD_CREDENTIALS_ROLE",
        "  skipped        webIdentity: AWS_WEB_IDENTITY_TOKEN_FILE is not set",
        "  skipped        podIdentity: AWS_CONTAINER_CREDENTIALS_FULL_URI is not set",
        "  log:",
        "    info  pod-credentials: using kube2iam credentials for role orders-reader",
        "",
        "Verdict",
        "  OK: pod-scoped credentials (exit 0)",
        "  fromPodProviderChain() resolves pod-scoped credentials from kube2iam (role orders-reader).",
        "",
      ].join("\n"),
    );
  });

  it("colours headings bold, the timing dim, good news green, the table header and absent sources dim", () => {
    expect(coloured(kube2iamPodReport()).split("\n")).toEqual(
      expect.arrayContaining([
        "<bold>pod-credentials doctor 1.2.3</><dim>  2026-11-27T21:00:00.000Z, 42 ms</>",
        "<bold>Metadata endpoint</>",
        "  answers       <green>kube2iam</>",
        "  <dim>#</>  <dim>SOURCE         </>  <dim>STATUS</>  <dim>DETAIL</>",
        "  1  webIdentity      <dim>absent</>  AWS_WEB_IDENTITY_TOKEN_FILE is not set",
        `  3  kube2iam         <green>ok    </>  role orders-reader, key …WXYZ, expires ${EXPIRES}, via POD_CREDENTIALS_ROLE`,
        '<dim>  (# is the position in the chain; "-": the chain does not use the source)</>',
        "  annotations  /etc/podinfo/annotations  <green>ok</>  58 bytes, written 2026-11-27T20:59:00.000Z, declares role orders-reader",
        "  result         <green>resolved from kube2iam</>",
        "  skipped        <dim>webIdentity: AWS_WEB_IDENTITY_TOKEN_FILE is not set</>",
        "  <green><bold>OK: pod-scoped credentials</></> (exit 0)",
      ]),
    );
  });

  describe("the metadata endpoint", () => {
    const endpointLines = (endpoint: Partial<MetadataEndpointReport>, color = false): string[] =>
      section({ metadataEndpoint: kube2iamEndpoint(endpoint) }, "Metadata endpoint", color);

    it("shows the real IMDS in yellow, with the role it offers called the node's", () => {
      expect(section({ metadataEndpoint: imdsEndpoint() }, "Metadata endpoint", true)).toEqual([
        "  url           http://169.254.169.254 (from the default endpoint)",
        "  answers       <yellow>real EC2 IMDS</>",
        "  role listing  HTTP 401 (realImds) to an invalid IMDSv2 token",
        "  offers role   eks-node-role (the node's role)",
      ]);
    });

    it("shows an endpoint where nothing answers dim, with the reason, and no separate problem line", () => {
      expect(section({ metadataEndpoint: unreachableEndpoint() }, "Metadata endpoint", true)).toEqual([
        "  url           http://127.0.0.1:9 (from AWS_EC2_METADATA_SERVICE_ENDPOINT)",
        "  answers       <dim>nothing</>",
        "  role listing  no answer (connection refused)",
      ]);
    });

    it("shows an invalid endpoint setting dim, with its problem in red", () => {
      expect(
        endpointLines(
          {
            url: null,
            from: null,
            kind: "invalid",
            description: "an invalid endpoint setting",
            listing: { status: null, answer: "noAnswer", role: null, message: null },
            kube2iamHealth: null,
            offeredRole: null,
            error: "InvalidConfigurationError: AWS_EC2_METADATA_SERVICE_ENDPOINT is not a URL.",
          },
          true,
        ),
      ).toEqual([
        "  url           (invalid setting)",
        "  answers       <dim>an invalid endpoint setting</>",
        "  role listing  no answer (unknown reason)",
        "  problem       <red>InvalidConfigurationError: AWS_EC2_METADATA_SERVICE_ENDPOINT is not a URL.</>",
      ]);
    });

    it("marks an endpoint whose origin is unknown with a question mark", () => {
      expect(endpointLines({ from: null })[0]).toBe("  url           http://127.0.0.1:8181 (from ?)");
    });

    it("quotes a proxy's message about the listing, and kube2iam's health answer with unknown fields as ?", () => {
      expect(
        endpointLines({
          listing: { status: 404, answer: "podNotYetKnown", role: null, message: "pod not found" },
          kube2iamHealth: { hostIP: null, instanceId: null },
          offeredRole: null,
        }),
      ).toEqual([
        "  url           http://127.0.0.1:8181 (from AWS_EC2_METADATA_SERVICE_ENDPOINT)",
        "  answers       kube2iam",
        "  role listing  HTTP 404 (podNotYetKnown: pod not found) to an invalid IMDSv2 token",
        "  /healthz      kube2iam on host ?, instance ?",
      ]);
    });

    it("shows kiam's pong, and a listing with both a role and a message", () => {
      expect(
        endpointLines({
          kind: "kiam",
          description: "kiam",
          listing: { status: 200, answer: "role", role: "orders-reader", message: "from the agent" },
          kube2iamHealth: null,
          kiamPing: true,
        }),
      ).toEqual([
        "  url           http://127.0.0.1:8181 (from AWS_EC2_METADATA_SERVICE_ENDPOINT)",
        "  answers       kiam",
        "  role listing  HTTP 200 (role: orders-reader: from the agent) to an invalid IMDSv2 token",
        "  /ping         pong (kiam)",
        "  offers role   orders-reader",
      ]);
    });
  });

  describe("the sources table", () => {
    const rowsOf = (sources: SourceReport[], color = false): string[] =>
      section({ sources }, "Sources, each examined on its own", color).slice(1, -1);

    it("paints a failed source red and prints its fix under the table", () => {
      const lines = section(
        {
          sources: [
            sourceReport({ source: "webIdentity", chainPosition: 1, status: "failed", error: errorReportOf() }),
          ],
        },
        "Sources, each examined on its own",
        true,
      );
      expect(lines).toEqual([
        "  <dim>#</>  <dim>SOURCE     </>  <dim>STATUS</>  <dim>DETAIL</>",
        "  1  webIdentity  <red>failed</>  CredentialSourceError: [webIdentity] The web-identity token file /var/run/token does not exist.",
        "  webIdentity fix: Mount the volume.",
        '<dim>  (# is the position in the chain; "-": the chain does not use the source)</>',
      ]);
    });

    it("prints no fix line for a failure without a fix, and names an unknown failure Error", () => {
      expect(
        rowsOf([
          sourceReport({
            source: "podIdentity",
            status: "failed",
            error: errorReportOf({ fix: null, message: "agent down" }),
          }),
          sourceReport({ source: "kube2iam", status: "failed", error: null }),
        ]),
      ).toEqual(["  -  podIdentity  failed  CredentialSourceError: agent down", "  -  kube2iam     failed  Error:"]);
    });

    it("paints the node's credentials yellow and says whose they are", () => {
      expect(
        rowsOf(
          [
            sourceReport({
              source: "instanceProfile",
              chainPosition: 4,
              status: "ok",
              nodeCredentials: true,
              reason: null,
              credentials: credentialsSummary({ roleArn: null, roleName: "eks-node-role" }),
            }),
          ],
          true,
        ),
      ).toEqual([
        `  4  instanceProfile  <yellow>ok    </>  the NODE's credentials: role eks-node-role, account 123456789012, key …WXYZ, expires ${EXPIRES}`,
      ]);
    });

    it("prefers the role ARN to the role name, and leaves out what is unknown", () => {
      expect(
        rowsOf([
          sourceReport({
            source: "env",
            status: "ok",
            reason: null,
            configuredBy: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
            credentials: credentialsSummary({ roleName: "ignored", accountId: null, expiration: null }),
          }),
          sourceReport({
            source: "sharedConfig",
            status: "ok",
            reason: null,
            credentials: credentialsSummary({ roleArn: null, roleName: null, accountId: null, expiration: null }),
          }),
          sourceReport({ source: "webIdentity", status: "ok", reason: null, credentials: null }),
          sourceReport({ source: "podIdentity", reason: null }),
        ]),
      ).toEqual([
        `  -  env           ok      role ${ROLE_ARN}, key …WXYZ, via AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
        "  -  sharedConfig  ok      key …WXYZ",
        "  -  webIdentity   ok",
        "  -  podIdentity   absent",
      ]);
    });
  });

  describe("the files", () => {
    const fileLines = (files: FileReport[], color = false): string[] => section({ files }, "Files", color);

    it("leaves the section out when the configuration names no file", () => {
      expect(plain(kube2iamPodReport({ files: [] }))).not.toContain("Files");
    });

    it("shows a token's claims, never the token, and flags an expired one", () => {
      expect(
        fileLines([
          fileReport({
            purpose: "webIdentityToken",
            path: "/var/run/token",
            declaredRole: null,
            bytes: 1024,
            token: {
              issuer: "https://oidc.eks.us-east-1.amazonaws.com/id/ABC",
              subject: "system:serviceaccount:shop:orders",
              audience: ["sts.amazonaws.com", "other"],
              expiresAt: EXPIRES,
              expired: false,
            },
          }),
          fileReport({
            purpose: "podIdentityToken",
            path: "/var/run/pod-identity-token",
            declaredRole: null,
            modifiedAt: null,
            bytes: null,
            token: { issuer: null, subject: null, audience: [], expiresAt: EXPIRES, expired: true },
          }),
          fileReport({
            purpose: "podIdentityToken",
            path: "/var/run/no-exp",
            declaredRole: null,
            token: { issuer: "iss", subject: "sub", audience: ["aud"], expiresAt: null, expired: false },
          }),
        ]),
      ).toEqual([
        "  webIdentityToken  /var/run/token               ok  1024 bytes, written 2026-11-27T20:59:00.000Z, aud " +
          `sts.amazonaws.com,other, sub system:serviceaccount:shop:orders, iss https://oidc.eks.us-east-1.amazonaws.com/id/ABC, expires ${EXPIRES}`,
        `  podIdentityToken  /var/run/pod-identity-token  ok  0 bytes, aud (none), sub (none), iss (none), EXPIRED ${EXPIRES}`,
        "  podIdentityToken  /var/run/no-exp              ok  58 bytes, written 2026-11-27T20:59:00.000Z, aud aud, sub sub, iss iss",
      ]);
    });

    it("shows a file with a problem in yellow, and a missing file as missing", () => {
      expect(
        fileLines(
          [
            fileReport({ declaredRole: null, problem: "has no iam.amazonaws.com/role annotation" }),
            fileReport({
              path: "/gone",
              exists: false,
              bytes: null,
              modifiedAt: null,
              declaredRole: null,
              problem: null,
            }),
            fileReport({
              path: "/locked",
              exists: false,
              bytes: null,
              modifiedAt: null,
              declaredRole: null,
              problem: "cannot be examined (EACCES)",
            }),
          ],
          true,
        ),
      ).toEqual([
        "  annotations  /etc/podinfo/annotations  <yellow>problem</>  58 bytes, written 2026-11-27T20:59:00.000Z, has no iam.amazonaws.com/role annotation",
        "  annotations  /gone                     <yellow>missing</>  does not exist",
        "  annotations  /locked                   <yellow>missing</>  cannot be examined (EACCES)",
      ]);
    });
  });

  describe("the environment", () => {
    it("says when no variable is set", () => {
      expect(section({ environment: [] }, "Environment")).toEqual([
        "  (no AWS_* or POD_CREDENTIALS_* variable is set)",
      ]);
    });

    it("shows a secret variable by name only, dim, and the configuration's warnings in yellow", () => {
      const overrides = {
        environment: [
          { name: "AWS_REGION", value: "eu-west-1" },
          { name: "AWS_SECRET_ACCESS_KEY", value: null },
        ],
        configuration: configurationReport({
          warnings: ["AWS_ACCESS_KEY_ID is ignored", "POD_CREDENTIALS_TYPO is unknown"],
        }),
      };
      expect(section(overrides, "Environment", true)).toEqual([
        "  AWS_REGION             eu-west-1",
        "  AWS_SECRET_ACCESS_KEY  <dim>(set; value not shown)</>",
        "<yellow>  warning: AWS_ACCESS_KEY_ID is ignored</>",
        "<yellow>  warning: POD_CREDENTIALS_TYPO is unknown</>",
      ]);
    });
  });

  describe("what the chain does", () => {
    it("shows an invalid configuration, the error in red without its fix, then the fix", () => {
      const error = errorReportOf({
        name: "InvalidConfigurationError",
        message: "POD_CREDENTIALS_SOURCES names an unknown source. Fix: Use known names.",
        fix: "Use known names.",
      });
      expect(
        section(
          {
            configuration: configurationReport({ sources: null, allowNodeCredentials: null, error }),
            chain: failedChain(error),
          },
          CHAIN_HEADING,
          true,
        ),
      ).toEqual([
        "  sources  (invalid configuration)",
        "  result   <red>failed</>",
        "  error    <red>InvalidConfigurationError: POD_CREDENTIALS_SOURCES names an unknown source.</>",
        "  fix      Use known names.",
      ]);
    });

    it("says when node credentials are allowed, and shows what is unknown about resolved credentials", () => {
      expect(
        section(
          {
            configuration: configurationReport({ sources: ["env", "instanceProfile"], allowNodeCredentials: true }),
            chain: resolvedChain({
              source: null,
              configuredBy: null,
              skipped: [],
              log: [],
              credentials: credentialsSummary({ roleArn: null, roleName: null, accountId: null, expiration: null }),
            }),
          },
          CHAIN_HEADING,
        ),
      ).toEqual([
        "  sources     env → instanceProfile (node credentials allowed)",
        "  result      resolved from ?",
        "  role        (unknown)",
        "  account     (unknown)",
        "  access key  …WXYZ",
        "  expires     never (static keys)",
      ]);
    });

    it("prefers the role ARN, and lists no skipped source for a failed chain (its error lists them)", () => {
      expect(
        section(
          { chain: resolvedChain({ credentials: credentialsSummary(), skipped: [], log: [] }) },
          CHAIN_HEADING,
        ).slice(2, 3),
      ).toEqual([`  role           ${ROLE_ARN}`]);
      const failed = section(
        {
          chain: failedChain(errorReportOf({ fix: null }), {
            skipped: [{ source: "webIdentity", reason: "AWS_WEB_IDENTITY_TOKEN_FILE is not set" }],
          }),
        },
        CHAIN_HEADING,
      );
      expect(failed).toEqual([
        "  sources  webIdentity → podIdentity → kube2iam → instanceProfile (node credentials refused)",
        "  result   failed",
        "  error    CredentialSourceError: [webIdentity] The web-identity token file /var/run/token does not exist.",
      ]);
    });

    it("shows warn and error log lines in colour, hides debug lines and an error line that repeats the error", () => {
      const error = errorReportOf({ fix: null });
      expect(
        section(
          {
            chain: failedChain(error, {
              log: [
                { level: "debug", message: "pod-credentials: trying webIdentity" },
                { level: "info", message: "pod-credentials: starting" },
                { level: "warn", message: "pod-credentials: the agent is slow" },
                { level: "error", message: "pod-credentials: the agent refused" },
                { level: "error", message: `pod-credentials: ${error.name}: ${error.message}` },
              ],
            }),
          },
          CHAIN_HEADING,
          true,
        ).slice(3),
      ).toEqual([
        "  log:",
        "    info  pod-credentials: starting",
        "    <yellow>warn </> pod-credentials: the agent is slow",
        "    <red>error</> pod-credentials: the agent refused",
      ]);
    });

    it("prints no log heading when every line is debug", () => {
      expect(
        section(
          { chain: resolvedChain({ log: [{ level: "debug", message: "pod-credentials: details" }] }) },
          CHAIN_HEADING,
        ),
      ).not.toContain("  log:");
    });
  });

  describe("the --verify result", () => {
    const HEADING = "STS GetCallerIdentity (--verify, https://sts.us-east-1.amazonaws.com, region us-east-1)";

    it("is absent without --verify", () => {
      expect(plain(kube2iamPodReport())).not.toContain("STS GetCallerIdentity");
    });

    it("shows the ARN in green and whether it is the chain's role", () => {
      expect(section({ verification: verificationReport() }, HEADING, true)).toEqual([
        "  arn      <green>arn:aws:sts::123456789012:assumed-role/orders-reader/pod-credentials-web-1</>",
        "  account  123456789012",
        "  user id  AROAEXAMPLE:pod-credentials-web-1",
        "  matches  yes, the chain's role",
      ]);
    });

    it("shows a mismatch in red, and (none) for what STS did not say", () => {
      const verification = verificationReport({ arn: null, account: null, userId: null, matchesChainRole: false });
      expect(section({ verification }, HEADING, true)).toEqual([
        "  arn      <green>(none)</>",
        "  account  (none)",
        "  user id  (none)",
        "  matches  <red>NO: not the role the chain reported</>",
      ]);
    });

    it("says when the roles cannot be compared", () => {
      const verification = verificationReport({ matchesChainRole: null });
      expect(section({ verification }, HEADING).at(-1)).toBe("  matches  (cannot compare with the chain's role)");
    });

    it("shows STS's refusal in red, and an unknown failure as Error", () => {
      const refused = verificationReport({
        status: "failed",
        error: errorReportOf({ name: "InvalidClientTokenId", message: "The security token included is invalid." }),
      });
      expect(section({ verification: refused }, HEADING, true)).toEqual([
        "<red>  failed: InvalidClientTokenId: The security token included is invalid.</>",
      ]);
      const unknown = verificationReport({ status: "failed", error: null });
      expect(section({ verification: unknown }, HEADING)).toEqual(["  failed: Error: "]);
    });

    it("says it was skipped when the chain gave no credentials", () => {
      const verification = verificationReport({ status: "skipped" });
      expect(section({ verification }, HEADING)).toEqual(["  skipped: the chain gave no credentials"]);
    });
  });

  describe("the --wait result", () => {
    it("is absent without --wait", () => {
      expect(plain(kube2iamPodReport())).not.toContain("Wait");
    });

    it.each([
      [{ seconds: 60, attempts: 3, waitedMs: 2049, resolved: true }, "  3 attempts in 2.0 s of 60 s: resolved"],
      [{ seconds: 1, attempts: 1, waitedMs: 1000, resolved: false }, "  1 attempt in 1.0 s of 1 s: not resolved"],
    ])("counts the attempts and the time waited: %j", (wait, line) => {
      expect(section({ wait }, "Wait")).toEqual([line]);
    });
  });

  describe("the verdict", () => {
    it.each([
      ["podCredentials", 0, "<green><bold>OK: pod-scoped credentials</></> (exit 0)"],
      ["nodeCredentialsOnly", 2, "<yellow><bold>NODE CREDENTIALS ONLY</></> (exit 2)"],
      ["notConfigured", 2, "<red><bold>NOT CONFIGURED</></> (exit 2)"],
      ["failed", 2, "<red><bold>FAILED</></> (exit 2)"],
    ] as const)("labels %s with its exit code and colour", (verdict, exitCode, label) => {
      const text = coloured(kube2iamPodReport({ verdict, exitCode, summary: "The summary." }));
      expect(text.split("\n").slice(-4)).toEqual(["<bold>Verdict</>", `  ${label}`, "  The summary.", ""]);
    });
  });
});
