// Scenario 4: the node's instance profile behind a metadata hop limit of 1 (the IMDSv2 token PUT never gets an
// answer). What each of ten refreshes costs, and how many token-PUT timeouts each process paid.
import { alternate } from "../lib/alternate.mjs";
import { IMPLEMENTATION_LABELS as LABEL } from "../lib/implementations.mjs";
import { runChild } from "../lib/runChild.mjs";
import { fmt, fmtRatio, median, ratio, spread } from "../lib/stats.mjs";

const CHILD = new URL("../children/hopLimit.mjs", import.meta.url);
const DEFAULT_REPETITIONS = 3; // each SDK child waits about 11 s of timeouts
const REFRESHES = 10;

export const hopLimit = async ({ dist, env, profiles, parent, repetitionsOverride, progress }) => {
  const repetitions = repetitionsOverride ?? DEFAULT_REPETITIONS;
  const variants = {
    ours: { impl: "ours", label: `${LABEL.ours}, forceRefresh` },
    sdkInstanceMetadata: { impl: "sdkInstanceMetadata", label: `${LABEL.sdkInstanceMetadata}, called again` },
    sdkChain: { impl: "sdkChain", label: `${LABEL.sdkChain}, forceRefresh` },
  };
  const environment = env({
    ...profiles.nodeInstanceProfile,
    AWS_EC2_METADATA_SERVICE_ENDPOINT: parent.urls.hopLimitedImds,
  });
  const runs = await alternate(Object.keys(variants), repetitions, async (name) => {
    progress(`hop limit: ${name}`);
    parent.resetLogs();
    const result = await runChild(
      CHILD,
      { impl: variants[name].impl, dist, refreshes: REFRESHES },
      { env: environment },
    );
    const log = parent.fakes.hopLimitedImds.requests;
    if (!result.ok || !result.keyPrefix?.startsWith("ASIAIMDS"))
      throw new Error(`hop limit, ${name}: ${JSON.stringify(result)}`);
    return {
      ...result,
      perRefreshMs: median(result.refreshMs),
      refreshesTotalMs: result.refreshMs.reduce((sum, ms) => sum + ms, 0),
      tokenTimeouts: log.filter((request) => request.method === "PUT").length,
      requests: log.length,
    };
  });
  const summary = Object.fromEntries(
    Object.entries(runs).map(([name, results]) => [
      name,
      {
        firstMs: results.map((result) => result.firstMs),
        perRefreshMs: results.map((result) => result.perRefreshMs),
        refreshesTotalMs: results.map((result) => result.refreshesTotalMs),
        tokenTimeouts: results.map((result) => result.tokenTimeouts),
        requests: results.map((result) => result.requests),
      },
    ]),
  );
  const perRefresh = (name) => median(summary[name].perRefreshMs);
  const oursTimeouts = Math.max(...summary.ours.tokenTimeouts);
  return {
    id: "hop",
    title: "4. Instance profile behind a hop limit of 1: ten refreshes",
    method:
      `The fake IMDS with hopLimitExceeded (the token PUT is accepted and never answered; IMDSv1 GETs work). Per child: a first ` +
      `resolution, then ${REFRESHES} refreshes, each timed: forceRefresh on the chains, a plain call on the bare (uncached) ` +
      `fromInstanceMetadata(). Ours runs with POD_CREDENTIALS_ALLOW_NODE=true. Every PUT in the fake's log is a token request ` +
      `that waited for its timeout (1 s in both). Default timeouts everywhere.`,
    tables: [
      {
        headers: [
          "implementation",
          "first resolution",
          "per refresh (median of 10), median (min–max)",
          `all ${REFRESHES} refreshes`,
          "token-PUT timeouts per process",
          "requests per process",
          "ratio per refresh ours/this",
          "repetitions",
        ],
        rows: Object.entries(variants).map(([name, variant]) => [
          variant.label,
          spread(summary[name].firstMs, " ms"),
          spread(summary[name].perRefreshMs, " ms"),
          spread(summary[name].refreshesTotalMs, " ms"),
          [...new Set(summary[name].tokenTimeouts)].join(" or "),
          [...new Set(summary[name].requests)].join(" or "),
          name === "ours" ? "—" : fmtRatio(ratio(perRefresh("ours"), perRefresh(name))),
          runs[name].length,
        ]),
      },
    ],
    targets: [
      {
        target: "hop limit: at most one timeout per process",
        measured: `ours ${oursTimeouts} per process (${REFRESHES + 1} resolutions), ${fmt(perRefresh("ours"))} ms per refresh; SDK bare ${[...new Set(summary.sdkInstanceMetadata.tokenTimeouts)].join("/")} and SDK chain ${[...new Set(summary.sdkChain.tokenTimeouts)].join("/")}, about ${fmt(perRefresh("sdkInstanceMetadata"))} / ${fmt(perRefresh("sdkChain"))} ms per refresh`,
        met: oursTimeouts <= 1,
        why:
          oursTimeouts <= 1
            ? "ours remembers, per process and endpoint, that the IMDSv2 token request timed out and uses IMDSv1 from then on; the SDK builds a new token request for every fetch (its check meant to remember the timeout never matches), and its chain builds a new fromInstanceMetadata() at every resolution."
            : "ours asked for an IMDSv2 token again after a timeout.",
      },
    ],
    data: summary,
  };
};
