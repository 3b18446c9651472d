// `npm run demo` as a new user runs it (after the build): the same pods under the SDK's fromNodeProviderChain and
// under fromPodProviderChain, side by side, both chains really run against the same loopback stand-ins.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");
let stdout: string;
let stderr: string;

beforeAll(async () => {
  ({ stdout, stderr } = await run(process.execPath, [join(root, "demo", "run.mjs")], {
    cwd: root,
    env: { PATH: process.env.PATH },
  }));
}, 60_000);

/** The table's rows: pod, what the SDK's chain handed out, what ours did. */
const rows = () =>
  stdout
    .split("\n")
    .filter((line) => /^\d\. /.test(line))
    .map((line) => line.split(/ {2,}/));

describe("the demo", () => {
  it("prints under 60 lines, nothing on standard error", () => {
    expect(stdout.split("\n").length).toBeLessThan(60);
    expect(stderr).toBe("");
  });

  it("shows, per pod, the SDK's chain handing out the node's role where pod-credentials refuses it", () => {
    expect(rows()).toEqual([
      ["1. IRSA", "orders-reader (IRSA)", "orders-reader (IRSA)"],
      [
        "2. IRSA, AWS_WEB_IDENTITY_TOKEN_FILE missing",
        "NODE ROLE eks-node-role",
        "<--",
        "error [1] CredentialSourceError",
      ],
      ["3. IRSA, token file not mounted", "error [2] Error", "error [3] CredentialSourceError"],
      ["4. EKS Pod Identity", "the pod's role (Pod Identity)", "the pod's role (Pod Identity)"],
      ["5. kube2iam intercepting", "orders-reader (kube2iam)", "orders-reader (kube2iam)"],
      [
        "6. kube2iam declared, not intercepting",
        "NODE ROLE eks-node-role",
        "<--",
        "error [4] NodeCredentialsRefusedError",
      ],
      ["7. nothing configured", "NODE ROLE eks-node-role", "<--", "error [5] NoPodCredentialsError"],
      [
        "8. nothing configured, node allowed",
        "NODE ROLE eks-node-role",
        "<--",
        "NODE ROLE eks-node-role",
        "<-- (warns)",
      ],
    ]);
    expect(stdout).toContain("The SDK's chain handed 4 of 8 pods the node's role");
    expect(stdout).toContain("refused it in 3 of them");
  });

  it("prints each error once, in full, with its fix", () => {
    const errors = stdout.split("\n").filter((line) => /^\[\d\] /.test(line));
    expect(errors.map((line) => line.slice(0, 4))).toEqual(["[1] ", "[2] ", "[3] ", "[4] ", "[5] "]);
    expect(errors[1]).toMatch(/^\[2\] Error: ENOENT: no such file or directory/);
    for (const error of [errors[0], errors[2], errors[3], errors[4]]) expect(error).toMatch(/ Fix: /);
    for (const error of errors) expect(stdout.split(error.slice(4)).length).toBe(2);
  });
});
