// The package as a consumer gets it: `npm pack`, unpacked into a scratch project's node_modules (its dependencies
// linked from ours, so no network is needed), then required from CommonJS, imported from ESM, and type-checked with
// `node16` and `bundler` resolution in a file that passes fromPodProviderChain() to an S3Client.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
let project: string;

const CONSUMER_TS = `import { S3Client } from "@aws-sdk/client-s3";
import { fromPodProviderChain, isPodCredentialsError, type PodCredentialProvider } from "pod-credentials";
import { fakeImds } from "pod-credentials/testing";

const credentials: PodCredentialProvider = fromPodProviderChain({ sources: ["webIdentity", "podIdentity"] });
export const s3 = new S3Client({ region: "eu-west-1", credentials });
export const source: string | undefined = credentials.describe()?.source;
export const refused = (error: unknown): boolean => isPodCredentialsError(error, "NodeCredentialsRefusedError");
export const imds = fakeImds();
`;

const tsconfig = (moduleResolution: "node16" | "bundler") =>
  JSON.stringify({
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: "ES2022",
      module: moduleResolution === "node16" ? "node16" : "esnext",
      moduleResolution,
      types: ["node"],
      skipLibCheck: false,
    },
    files: ["consumer.ts"],
  });

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), "pod-credentials-consumer-"));
  const modules = join(project, "node_modules");
  await mkdir(join(modules, "pod-credentials"), { recursive: true });
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", project], { cwd: root });
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
  await run("tar", ["-xzf", join(project, filename), "-C", join(modules, "pod-credentials"), "--strip-components=1"]);
  for (const entry of await readdir(join(root, "node_modules"))) {
    if (entry !== ".bin" && !entry.startsWith("."))
      await symlink(join(root, "node_modules", entry), join(modules, entry));
  }
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  await writeFile(join(project, "consumer.ts"), CONSUMER_TS);
}, 60_000);

describe("the packed package, as a consumer installs it", () => {
  it("ships dist, the README and the licence, and no sources or tests", async () => {
    const files = await readdir(join(project, "node_modules", "pod-credentials"));
    expect(files.sort()).toEqual(expect.arrayContaining(["LICENSE", "README.md", "dist", "package.json"]));
    expect(files).not.toContain("src");
    expect(files).not.toContain("test");
  });

  it("can be required from CommonJS", async () => {
    await writeFile(
      join(project, "consumer.cjs"),
      `const { fromPodProviderChain } = require("pod-credentials");
const { fakeKiam } = require("pod-credentials/testing");
console.log(typeof fromPodProviderChain, typeof fakeKiam);`,
    );
    const { stdout } = await run(process.execPath, ["consumer.cjs"], { cwd: project });
    expect(stdout.trim()).toBe("function function");
  });

  it("can be imported from ES modules", async () => {
    await writeFile(
      join(project, "consumer.mjs"),
      `import { fromPodProviderChain, NoPodCredentialsError } from "pod-credentials";
const error = await fromPodProviderChain({ env: {}, logger: { debug() {}, info() {}, warn() {}, error() {} } })().catch((e) => e);
console.log(error instanceof NoPodCredentialsError, error.name);`,
    );
    const { stdout } = await run(process.execPath, ["consumer.mjs"], { cwd: project });
    expect(stdout.trim()).toBe("true NoPodCredentialsError");
  });

  it.each(["node16", "bundler"] as const)(
    "type-checks with %s resolution, passing the provider to an S3Client",
    async (resolution) => {
      await writeFile(join(project, `tsconfig.${resolution}.json`), tsconfig(resolution));
      const result = await run(process.execPath, [tsc, "-p", `tsconfig.${resolution}.json`], { cwd: project }).catch(
        (error: { stdout: string }) => error,
      );
      expect("stdout" in result ? result.stdout : "").toBe("");
    },
    60_000,
  );
});
