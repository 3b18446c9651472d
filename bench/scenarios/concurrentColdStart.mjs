// Scenario 5: 10,000 concurrent calls on a provider that has nothing cached yet (IRSA): upstream requests and the
// time until every call has settled.
import { alternate } from "../lib/alternate.mjs";
import { IMPLEMENTATION_LABELS as LABEL } from "../lib/implementations.mjs";
import { runChild } from "../lib/runChild.mjs";
import { fmt, fmtRatio, median, ratio, spread } from "../lib/stats.mjs";

const CHILD = new URL("../children/concurrentColdStart.mjs", import.meta.url);
const DEFAULT_REPETITIONS = 5;
const BARE_REPETITIONS = 1; // 10,000 STS clients and requests take the best part of a minute, and always make 10,000 requests
const CALLS = 10_000;

export const concurrentColdStart = async ({ dist, env, profiles, parent, repetitionsOverride, progress }) => {
  const repetitions = repetitionsOverride ?? DEFAULT_REPETITIONS;
  const variants = ["ours", "sdkChain", "sdkTokenFile"];
  const measure = async (impl) => {
    progress(`10,000 concurrent cold calls: ${impl}`);
    parent.resetLogs();
    const result = await runChild(CHILD, { impl, dist, calls: CALLS }, { env: env(profiles.irsa), timeoutMs: 240_000 });
    return { ...result, requests: parent.fakes.sts.requests.length };
  };
  const runs = {
    ...(await alternate(["ours", "sdkChain"], repetitions, measure)),
    ...(await alternate(["sdkTokenFile"], Math.min(repetitions, BARE_REPETITIONS), measure)),
  };
  const summary = Object.fromEntries(
    variants.map((impl) => [
      impl,
      {
        ms: runs[impl].map((result) => result.ms),
        requests: runs[impl].map((result) => result.requests),
        fulfilled: runs[impl].map((result) => result.fulfilled),
        rejected: runs[impl].map((result) => result.rejected),
        distinctKeys: runs[impl].map((result) => result.distinctKeys),
        firstError: runs[impl].find((result) => result.firstError)?.firstError,
      },
    ]),
  );
  const oursRequests = Math.max(...summary.ours.requests);
  const oursAllFulfilled = summary.ours.fulfilled.every((count) => count === CALLS);
  return {
    id: "concurrent",
    title: "5. 10,000 concurrent calls at a cold start (IRSA)",
    method:
      `A new provider, then ${CALLS.toLocaleString("en-US")} calls started in the same tick; timed until Promise.allSettled ` +
      `resolves. STS requests counted from the fake STS's log. The bare fromTokenFile() has no cache, so it is the baseline ` +
      `of "no single flight"; it runs once, since it takes the best part of a minute and its request count cannot vary.`,
    tables: [
      {
        headers: [
          "implementation",
          "ms until all settled, median (min–max)",
          "STS requests (median)",
          "fulfilled / rejected (median)",
          "distinct keys",
          "ratio ms ours/this",
          "repetitions",
        ],
        rows: variants.map((impl) => [
          LABEL[impl],
          spread(summary[impl].ms, " ms"),
          fmt(median(summary[impl].requests)),
          `${fmt(median(summary[impl].fulfilled))} / ${fmt(median(summary[impl].rejected))}`,
          fmt(median(summary[impl].distinctKeys)),
          impl === "ours" ? "—" : fmtRatio(ratio(median(summary.ours.ms), median(summary[impl].ms))),
          runs[impl].length,
        ]),
      },
    ],
    targets: [
      {
        target: "10,000 concurrent cold calls: one upstream request",
        measured: `ours ${oursRequests} STS request(s), ${oursAllFulfilled ? "all" : "not all"} ${CALLS.toLocaleString("en-US")} fulfilled, in ${fmt(median(summary.ours.ms))} ms; SDK chain ${fmt(median(summary.sdkChain.requests))}; bare fromTokenFile ${fmt(median(summary.sdkTokenFile.requests))}`,
        met: oursRequests === 1 && oursAllFulfilled,
        why:
          oursRequests === 1 && oursAllFulfilled
            ? "single flight: every call made while a resolution runs shares its promise (the SDK chain does the same with its lock; the bare fromTokenFile has no cache and makes one STS call per call)."
            : "ours made more than one upstream request, or not every call got credentials.",
      },
    ],
    notes: summary.sdkTokenFile.firstError
      ? [
          `bare fromTokenFile, first rejection: ${summary.sdkTokenFile.firstError.name}: ${summary.sdkTokenFile.firstError.message}`,
        ]
      : [],
    data: summary,
  };
};
