// Scenario 6: a fleet of 1,000 chains created in the same second with 1-hour credentials, over two simulated hours.
import { alternate } from "../lib/alternate.mjs";
import { renderFleetChart } from "../lib/fleetChart.mjs";
import { IMPLEMENTATION_LABELS as LABEL } from "../lib/implementations.mjs";
import { runChild } from "../lib/runChild.mjs";
import { fmt, fmtRatio, median, ratio } from "../lib/stats.mjs";

const CHILD = new URL("../children/fleet.mjs", import.meta.url);
const DEFAULT_REPETITIONS = 2;
const CHAINS = 1000;
const SECONDS = 2 * 3600;
const TARGET_RATIO = 0.1;
const INITIAL_BATCH = 50;

/** Peak, and where, of refreshes (every request after second 0, which holds the first resolutions). */
const analyse = (perSecond) => {
  let peak = 0;
  let peakAt = 0;
  perSecond.forEach((count, second) => {
    if (second > 0 && count > peak) [peak, peakAt] = [count, second];
  });
  const busySeconds = perSecond.filter((count, second) => second > 0 && count > 0).length;
  const refreshes = perSecond.slice(1).reduce((sum, count) => sum + count, 0);
  return { initial: perSecond[0], peak, peakAt, busySeconds, refreshes };
};

export const fleet = async ({ dist, env, profiles, repetitionsOverride, progress }) => {
  const repetitions = repetitionsOverride ?? DEFAULT_REPETITIONS;
  const runs = await alternate(["ours", "sdkChain"], repetitions, async (impl) => {
    progress(`fleet: ${impl} (${CHAINS} chains, ${SECONDS} simulated seconds)`);
    const result = await runChild(
      CHILD,
      { impl, dist, chains: CHAINS, seconds: SECONDS, initialBatch: INITIAL_BATCH },
      {
        env: env(profiles.irsa),
        timeoutMs: 300_000,
      },
    );
    if (result.rejections > 0)
      throw new Error(
        `fleet, ${impl}: ${result.rejections} calls failed, first ${JSON.stringify(result.firstRejection)}`,
      );
    return { ...result, ...analyse(result.requestsPerSecond) };
  });
  // Why second 0 is batched: the same child, one simulated second, all first calls at once.
  const burst = await alternate(["ours", "sdkChain"], 1, async (impl) => {
    progress(`fleet: ${impl}, ${CHAINS} first calls at once in one process`);
    return runChild(
      CHILD,
      { impl, dist, chains: CHAINS, seconds: 1, initialBatch: CHAINS },
      { env: env(profiles.irsa), timeoutMs: 120_000 },
    );
  });
  const peak = (impl) => median(runs[impl].map((run) => run.peak));
  const r = ratio(peak("ours"), peak("sdkChain"));
  const chart = renderFleetChart({
    seconds: SECONDS,
    chains: CHAINS,
    series: [
      { label: LABEL.sdkChain, color: "#d62728", perSecond: runs.sdkChain[0].requestsPerSecond },
      { label: LABEL.ours, color: "#1f77b4", perSecond: runs.ours[0].requestsPerSecond },
    ],
  });
  const row = (impl) => {
    return [
      LABEL[impl],
      runs[impl].map((run) => fmt(run.peak)).join(", "),
      runs[impl].map((run) => `${fmt(run.peakAt / 60)} min`).join(", "),
      runs[impl].map((run) => fmt(run.busySeconds)).join(", "),
      runs[impl].map((run) => fmt(run.refreshes)).join(", "),
      runs[impl].map((run) => fmt(run.initial)).join(", "),
      runs[impl].map((run) => fmt(run.settleLimitHit)).join(", "),
      runs[impl].map((run) => `${fmt(run.realMs / 1000)} s`).join(", "),
      runs[impl].length,
    ];
  };
  return {
    id: "fleet",
    title: "6. Fleet: 1,000 chains created in the same second, two simulated hours",
    method:
      `One child per implementation runs ${CHAINS.toLocaleString("en-US")} chains (IRSA; the fake STS in the same child issues ` +
      `1-hour credentials) created at simulated second 0, and calls each once per simulated second for ${SECONDS} seconds ` +
      `(globalThis.Date replaced by a subclass returning the simulated time; real timers). After each second's calls the ` +
      `child waits until every background refresh has finished before moving the clock on, and records the STS requests ` +
      `of that second. Second 0 holds the ${CHAINS.toLocaleString("en-US")} first resolutions of each; refreshes are every ` +
      `request after it. No call failed. The chart shows the first repetition.`,
    tables: [
      {
        headers: [
          "implementation",
          "peak refreshes in one second (each repetition)",
          "at",
          "seconds with a refresh",
          "refreshes in 2 h",
          "requests at second 0",
          "settle limit hit",
          "real time",
          "repetitions",
        ],
        rows: [row("ours"), row("sdkChain"), ["ratio of peaks ours/SDK", fmtRatio(r), "", "", "", "", "", "", ""]],
      },
    ],
    notes: ["ours", "sdkChain"].map((impl) => {
      const [result] = burst[impl];
      return (
        `Second 0 unbatched (all ${CHAINS.toLocaleString("en-US")} first calls at once in this one process), ${LABEL[impl]}: ` +
        `${result.rejections} of ${CHAINS.toLocaleString("en-US")} first calls failed` +
        (result.firstRejection ? ` (first: ${result.firstRejection.name}: ${result.firstRejection.message})` : "") +
        `, ${fmt(result.totalRequests)} STS requests.`
      );
    }),
    targets: [
      {
        target: `fleet: peak refreshes per second at most ${TARGET_RATIO}x the SDK's`,
        measured: `ours ${runs.ours.map((run) => fmt(run.peak)).join(" and ")}, SDK chain ${runs.sdkChain.map((run) => fmt(run.peak)).join(" and ")} (per repetition): ${fmtRatio(r)} of the medians`,
        met: r <= TARGET_RATIO,
        why:
          r <= TARGET_RATIO
            ? "ours picks each chain's refresh time at random over the first half of the 5-minute refresh window (refreshJitter 0.5), so chains that got credentials in the same second refresh over about 150 seconds; the SDK refreshes every chain at exactly 5 minutes before expiry, all in the same second."
            : "the jittered refresh times of ours bunched more than the target allows in this run.",
      },
    ],
    svg: chart,
    data: Object.fromEntries(
      Object.entries(runs).map(([impl, list]) => [impl, list.map(({ requestsPerSecond, ...rest }) => rest)]),
    ),
  };
};
