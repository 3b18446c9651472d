// `npm run bench`: our fromPodProviderChain against the AWS SDK's fromNodeProviderChain (and bare SDK providers where
// they matter), every measurement in a fresh child process, against loopback fakes only. Writes docs/benchmarks.md
// and docs/benchmarks-fleet.svg.
//
//   node bench/run.mjs                 every scenario, full repetitions (what npm run bench does after building)
//   node bench/run.mjs --only cached,fleet --repetitions 2 --no-write
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import "./lib/loopbackGuard.mjs"; // the parent only ever talks to loopback too
import { childEnv, createSandbox } from "./lib/childEnv.mjs";
import { describeMachine } from "./lib/machine.mjs";
import { startParentFakes } from "./lib/parentFakes.mjs";
import { sourceProfiles } from "./lib/profiles.mjs";
import { renderReport } from "./lib/report.mjs";
import { snapshotDist } from "./lib/snapshot.mjs";
import { cachedCall } from "./scenarios/cachedCall.mjs";
import { concurrentColdStart } from "./scenarios/concurrentColdStart.mjs";
import { firstCredentials } from "./scenarios/firstCredentials.mjs";
import { fleet } from "./scenarios/fleet.mjs";
import { footprint } from "./scenarios/footprint.mjs";
import { hopLimit } from "./scenarios/hopLimit.mjs";
import { importAndFirst } from "./scenarios/importAndFirst.mjs";
import { nothingConfigured } from "./scenarios/nothingConfigured.mjs";
import { serveEndpoint } from "./scenarios/serveEndpoint.mjs";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const SCENARIOS = {
  cached: cachedCall,
  first: firstCredentials,
  importAndFirst,
  nothing: nothingConfigured,
  hop: hopLimit,
  concurrent: concurrentColdStart,
  fleet,
  footprint,
  serve: serveEndpoint,
};

const { values: args } = parseArgs({
  options: {
    only: { type: "string" },
    repetitions: { type: "string" },
    "no-write": { type: "boolean", default: false },
  },
});
const selected = args.only === undefined ? Object.keys(SCENARIOS) : args.only.split(",").map((name) => name.trim());
for (const name of selected)
  if (!(name in SCENARIOS)) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(", ")}`);
const repetitionsOverride = args.repetitions === undefined ? undefined : Number(args.repetitions);
if (repetitionsOverride !== undefined && !(Number.isInteger(repetitionsOverride) && repetitionsOverride > 0)) {
  throw new Error(`--repetitions must be a whole number above 0, got ${args.repetitions}`);
}

const startedAt = new Date();
const started = process.hrtime.bigint();
// The other work on the machine: 1-minute load averages when the run started and when it ended.
const loadAverages = [loadavg()[0]];
const elapsed = () => `${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(0)} s`;
const progress = (message) => process.stderr.write(`[bench ${elapsed()}] ${message}\n`);

const dist = snapshotDist(ROOT);
const sandbox = await createSandbox();
const parent = await startParentFakes(dist);
const profiles = sourceProfiles(sandbox, parent);
const context = {
  root: ROOT,
  dist,
  sandbox,
  parent,
  profiles,
  env: (settings) => childEnv(sandbox, settings),
  progress,
};

const results = [];
let homeStillEmpty = false;
try {
  for (const name of selected) {
    const scenarioStarted = process.hrtime.bigint();
    progress(`scenario ${name}`);
    const result = await SCENARIOS[name]({ ...context, repetitionsOverride });
    result.seconds = Number(process.hrtime.bigint() - scenarioStarted) / 1e9;
    results.push(result);
    for (const target of result.targets)
      progress(`  ${target.met ? "MET   " : "MISSED"} ${target.target}: ${target.measured}`);
  }
} finally {
  await parent.close();
  homeStillEmpty = sandbox.homeStillEmpty();
  rmSync(sandbox.root, { recursive: true, force: true });
}
if (!homeStillEmpty) throw new Error("something wrote into the children's HOME, which must stay empty");

const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;
loadAverages.push(loadavg()[0]);
progress(
  `done in ${totalSeconds.toFixed(0)} s (load average ${loadAverages.map((value) => value.toFixed(1)).join(" at the start, ")} at the end)`,
);
// A full run rewrites docs/; a partial one writes the same report to a preview folder and prints its tables.
const fullRun = !args["no-write"] && args.only === undefined && repetitionsOverride === undefined;
const folder = fullRun ? join(ROOT, "docs") : join(tmpdir(), "pod-credentials-bench-preview");
mkdirSync(folder, { recursive: true });
const { markdown, svg } = renderReport({
  machine: describeMachine(ROOT),
  startedAt,
  totalSeconds,
  loadAverages,
  results,
});
writeFileSync(join(folder, "benchmarks.md"), markdown);
if (svg !== undefined) writeFileSync(join(folder, "benchmarks-fleet.svg"), svg);
if (fullRun) {
  progress("wrote docs/benchmarks.md and docs/benchmarks-fleet.svg");
} else {
  progress(`partial run (--only, --repetitions or --no-write): docs/ left as they are; preview in ${folder}`);
  for (const result of results) {
    process.stdout.write(`\n## ${result.title} (${result.seconds.toFixed(1)} s)\n`);
    for (const table of result.tables) for (const row of table.rows) process.stdout.write(`  ${row.join(" | ")}\n`);
    for (const note of result.notes ?? []) process.stdout.write(`  note: ${note}\n`);
  }
}
