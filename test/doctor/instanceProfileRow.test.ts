// The instance profile's row in the terminal report: the doctor examines the node's role with node credentials
// allowed, whatever the chain's setting, so the row must say what the chain itself does with them.
import { describe, expect, it } from "vitest";
import { renderReport } from "../../src/doctor/renderReport.js";
import { runDoctor } from "../../src/doctor/runDoctor.js";
import { fakeImds } from "../../src/testing/index.js";
import { sectionOf } from "./reportFixtures.js";
import { serve } from "./servers.js";

const instanceProfileRow = async (env: Record<string, string>): Promise<string> => {
  const endpoint = await serve(fakeImds({ roleName: "eks-node-role" }));
  const report = await runDoctor({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint, ...env }, version: "1.2.3" });
  const rows = sectionOf(renderReport(report, { color: false }), "Sources, each examined on its own");
  const row = rows.filter((line) => line.includes("instanceProfile"));
  expect(row).toHaveLength(1);
  return row[0] ?? "";
};

describe("the instanceProfile row of the report", () => {
  it("says the chain refuses node credentials when they are not allowed", async () => {
    const row = await instanceProfileRow({});
    expect(row).toContain("the NODE's credentials: role eks-node-role");
    expect(row).toMatch(
      /via metadata endpoint from AWS_EC2_METADATA_SERVICE_ENDPOINT; examined on its own: the chain refuses node credentials$/,
    );
    expect(row).not.toContain("allowed");
  });

  it("says they are allowed by the configuration when POD_CREDENTIALS_ALLOW_NODE=true", async () => {
    const row = await instanceProfileRow({ POD_CREDENTIALS_ALLOW_NODE: "true" });
    expect(row).toMatch(
      /via node credentials allowed by the configuration; metadata endpoint from AWS_EC2_METADATA_SERVICE_ENDPOINT$/,
    );
    expect(row).not.toContain("refuses");
  });
});
