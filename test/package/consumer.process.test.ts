// The package as a consumer gets it: `npm pack`, unpacked into a scratch project's node_modules (its dependencies
// linked from ours, so no network is needed), then required from CommonJS, imported from ESM, and type-checked with
// `node10` (the default of `module: commonjs`), `node16` and `bundler` resolution in a file that passes
// fromPodProviderChain() to an S3Client and uses the documented types.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
let project: string;

const CONSUMER_TS = `import { S3Client } from "@aws-sdk/client-s3";
import {
  type DoctorReport,
  type DoctorVerdict,
  fromPodProviderChain,
  isPodCredentialsError,
  type PodCredentialProvider,
} from "pod-credentials";
import { type FakeImdsOptions, fakeImds } from "pod-credentials/testing";

const credentials: PodCredentialProvider = fromPodProviderChain({ sources: ["webIdentity", "podIdentity"] });
export const s3 = new S3Client({ region: "eu-west-1", credentials });
export const source: string | undefined = credentials.describe()?.source;
export const refused = (error: unknown): boolean => isPodCredentialsError(error, "NodeCredentialsRefusedError");
const options: FakeImdsOptions = { roleName: "eks-node-role" };
export const imds = fakeImds(options);
export const verdictOf = (report: DoctorReport): DoctorVerdict => report.verdict;
`;

const MODULE = { node10: "commonjs", node16: "node16", bundler: "esnext" } as const;

const tsconfig = (moduleResolution: keyof typeof MODULE) =>
  JSON.stringify({
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: "ES2022",
      module: MODULE[moduleResolution],
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
  it("ships dist, the sources its maps name, the README and the licence, and no tests", async () => {
    const files = await readdir(join(project, "node_modules", "pod-credentials"));
    expect(files.sort()).toEqual(["CHANGELOG.md", "LICENSE", "README.md", "dist", "package.json", "src"]);
  });

  it("names, in a stack trace, a source file that exists in the package", async () => {
    await writeFile(
      join(project, "stack.mjs"),
      `import { fromPodProviderChain } from "pod-credentials";
try { fromPodProviderChain({ env: { POD_CREDENTIALS_TIMEOUT_MS: "soon" } }); } catch (error) { console.log(error.stack); }`,
    );
    const { stdout } = await run(process.execPath, ["--enable-source-maps", "stack.mjs"], { cwd: project });
    const frames = [...stdout.matchAll(/\((\/[^()]+\.ts):\d+:\d+\)/g)].map((match) => match[1] ?? "");
    expect(frames.length).toBeGreaterThan(0);
    for (const frame of frames) {
      expect(frame).toContain(join("node_modules", "pod-credentials", "src"));
      await expect(readFile(frame, "utf8")).resolves.toMatch(/\S/);
    }
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

  it.each(["node10", "node16", "bundler"] as const)(
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
