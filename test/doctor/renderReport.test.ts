import { describe, expect, it } from "vitest";
import { type DoctorReport, formatTable, renderReport, runDoctor } from "../../src/doctor/index.js";
import { fakeImds, fakeKube2iam } from "../../src/testing/index.js";
import { secretCredentials } from "../support/fakes.js";
import { findLeaks, recordOutput } from "../support/leakCheck.js";
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
