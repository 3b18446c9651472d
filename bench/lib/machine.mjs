// The machine, Node.js and SDK versions the run happened on, for the report.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";

const packageVersion = (root, name) => {
  try {
    return JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")).version;
  } catch {
    return "not installed";
  }
};

const cpuModel = () => {
  try {
    return (
      /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ??
      os.cpus()[0]?.model ??
      "unknown"
    );
  } catch {
    return os.cpus()[0]?.model ?? "unknown";
  }
};

const processorCount = () => {
  try {
    return Number(execFileSync("nproc", { encoding: "utf8" }).trim());
  } catch {
    return os.availableParallelism();
  }
};

export const describeMachine = (root) => ({
  cpus: processorCount(),
  cpuModel: cpuModel(),
  memoryGiB: os.totalmem() / 1024 ** 3,
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  node: process.version,
  packageVersion: JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version,
  sdk: Object.fromEntries(
    [
      "@aws-sdk/credential-providers",
      "@aws-sdk/credential-provider-node",
      "@aws-sdk/credential-provider-web-identity",
      "@aws-sdk/credential-provider-http",
      "@smithy/credential-provider-imds",
    ].map((name) => [name, packageVersion(root, name)]),
  ),
});
