// Scenario 2b: IRSA from a cold process: import of the implementation plus its first credentials, timed in the child.
import { alternate } from "../lib/alternate.mjs";
import { IMPLEMENTATION_LABELS as LABEL } from "../lib/implementations.mjs";
import { runChild } from "../lib/runChild.mjs";
import { fmt, fmtRatio, median, ratio, spread } from "../lib/stats.mjs";

const CHILD = new URL("../children/importAndFirst.mjs", import.meta.url);
const DEFAULT_REPETITIONS = 9;
const TARGET_RATIO = 0.8;

export const importAndFirst = async ({ dist, env, profiles, parent, repetitionsOverride, progress }) => {
  const repetitions = repetitionsOverride ?? DEFAULT_REPETITIONS;
  const runs = await alternate(["ours", "sdkChain"], repetitions, async (impl) => {
    progress(`import + first credentials (IRSA): ${impl}`);
    parent.resetLogs();
    const started = process.hrtime.bigint();
    const result = await runChild(CHILD, { impl, dist }, { env: env(profiles.irsa) });
    return {
      ...result,
      wallMs: Number(process.hrtime.bigint() - started) / 1e6,
      requests: parent.fakes.sts.requests.length,
    };
  });
  for (const [impl, results] of Object.entries(runs)) {
    for (const result of results) {
      if (!result.ok || !result.keyPrefix?.startsWith("ASIASTS") || result.requests !== 1) {
        throw new Error(`import + first credentials, ${impl}: unexpected outcome ${JSON.stringify(result)}`);
      }
    }
  }
  const field = (impl, name) => runs[impl].map((result) => result[name]);
  const r = ratio(median(field("ours", "ms")), median(field("sdkChain", "ms")));
  const perRepetition = field("ours", "ms").map((value, index) => value / field("sdkChain", "ms")[index]);
  const met = r <= TARGET_RATIO;
  return {
    id: "importAndFirst",
    title: "2b. IRSA from a cold process: import plus first credentials",
    method:
      "One fresh child per measurement (the IRSA environment of scenario 2), timed inside the child from just before the " +
      "import() of the implementation to its first credentials: what a new pod waits for before its first AWS call. Node's " +
      "own start-up is the same for both and not included; the process wall time (spawn to exit, the parent's clock) is " +
      "shown for scale.",
    tables: [
      {
        headers: [
          "implementation",
          "import + first credentials, median (min–max)",
          "of which import",
          "process wall time, median",
          "repetitions",
        ],
        rows: ["ours", "sdkChain"].map((impl) => [
          LABEL[impl],
          spread(field(impl, "ms"), " ms"),
          `${fmt(median(field(impl, "importMs")))} ms`,
          `${fmt(median(field(impl, "wallMs")))} ms`,
          repetitions,
        ]),
      },
    ],
    targets: [
      {
        target: `IRSA import + first credentials at most ${TARGET_RATIO}x the SDK chain`,
        measured: `${fmt(median(field("ours", "ms")))} ms vs ${fmt(median(field("sdkChain", "ms")))} ms: ${fmtRatio(r)} (per repetition ${fmtRatio(Math.min(...perRepetition))} to ${fmtRatio(Math.max(...perRepetition))})`,
        met,
        why: met
          ? "importing the package loads its own small modules and none of Node's network stack (node:http, node:https, node:tls and node:crypto load at the first request); the IRSA call is a form POST and an XML answer through the package's own HTTP client, without the SDK's STS client, its HTTP handler or its credential-provider packages."
          : "see the import share in the table: the import and the first call are both measured in the same child.",
      },
    ],
    data: { ms: { ours: field("ours", "ms"), sdkChain: field("sdkChain", "ms") }, ratio: r },
  };
};
