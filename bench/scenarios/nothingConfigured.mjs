// Scenario 3: nothing pod-scoped configured. Ours should refuse at once with a typed error and no request; the SDK
// chain ends at the instance metadata service, whose behaviour then decides what the pod gets.
import { alternate } from "../lib/alternate.mjs";
import { runChild } from "../lib/runChild.mjs";
import { fmt, median, spread } from "../lib/stats.mjs";

const CHILD = new URL("../children/nothingConfigured.mjs", import.meta.url);
const DEFAULT_REPETITIONS = 5;
const TARGET_MS = 10;

export const nothingConfigured = async ({ dist, env, sandbox, parent, repetitionsOverride, progress }) => {
  const repetitions = repetitionsOverride ?? DEFAULT_REPETITIONS;
  const nothing = { AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined };
  const variants = {
    oursAnswering: {
      label: "ours, metadata endpoint answering (fake IMDS with node credentials)",
      impl: "ours",
      endpoint: () => parent.urls.imds,
      requests: () => parent.fakes.imds.requests.length,
    },
    oursSilent: {
      label: "ours, metadata endpoint silent",
      impl: "ours",
      endpoint: () => parent.silent.url,
      requests: () => parent.silent.connections,
    },
    sdkRefusing: {
      label: "SDK chain, metadata endpoint refusing connections",
      impl: "sdkChain",
      endpoint: () => sandbox.refusingMetadataUrl,
      requests: () => undefined, // nothing listens there, so nothing can count; each attempt is refused
    },
    sdkSilent: {
      label: "SDK chain, metadata endpoint silent (accepts, never answers)",
      impl: "sdkChain",
      endpoint: () => parent.silent.url,
      requests: () => parent.silent.connections,
    },
    sdkAnswering: {
      label: "SDK chain, metadata endpoint answering (fake IMDS with node credentials)",
      impl: "sdkChain",
      endpoint: () => parent.urls.imds,
      requests: () => parent.fakes.imds.requests.length,
    },
  };
  const runs = await alternate(Object.keys(variants), repetitions, async (name) => {
    const variant = variants[name];
    progress(`nothing configured: ${name}`);
    parent.resetLogs();
    const result = await runChild(
      CHILD,
      { impl: variant.impl, dist },
      {
        env: env({ ...nothing, AWS_EC2_METADATA_SERVICE_ENDPOINT: variant.endpoint() }),
      },
    );
    return { ...result, requests: variant.requests() };
  });
  const outcomeOf = (result) =>
    result.ok
      ? `credentials ${result.keyPrefix}… (the node's role)`
      : `${result.error.name}: ${result.error.message.replace(/\/tmp\/[^\s)]*/g, "<temp file>").slice(0, 160)}…`;
  const summary = Object.fromEntries(
    Object.entries(runs).map(([name, results]) => {
      const counts = results.map((result) => result.requests);
      return [
        name,
        {
          ms: median(results.map((result) => result.ms)),
          msAll: results.map((result) => result.ms),
          requests: counts.every((count) => count === undefined) ? undefined : Math.max(...counts),
          outcomes: [...new Set(results.map(outcomeOf))],
          allTypedNoPod: results.every((result) => !result.ok && result.error.name === "NoPodCredentialsError"),
        },
      ];
    }),
  );
  const ours = [summary.oursAnswering, summary.oursSilent];
  const oursMs = Math.max(...ours.map((value) => value.ms));
  const oursRequests = Math.max(...ours.map((value) => value.requests));
  return {
    id: "nothing",
    title: "3. Nothing configured: time to a clear failure",
    method:
      "No IRSA, Pod Identity or kube2iam variable; AWS_CONTAINER_CREDENTIALS_FULL_URI unset (so the SDK chain goes to IMDS); " +
      "AWS_EC2_METADATA_SERVICE_ENDPOINT at a loopback port where nothing listens (refusing), at a loopback server that accepts " +
      "connections and never answers (silent), or at the fake IMDS (answering). Timed from creating the provider to the first " +
      "call settling. Requests: the fake IMDS's log, or connections accepted by the silent server (a refused connection cannot " +
      "be counted).",
    tables: [
      {
        headers: [
          "implementation and endpoint",
          "ms, median (min–max)",
          "requests (max over repetitions)",
          "outcome",
          "repetitions",
        ],
        rows: Object.entries(variants).map(([name, variant]) => [
          variant.label,
          spread(summary[name].msAll, " ms"),
          summary[name].requests === undefined ? "refused (not countable)" : fmt(summary[name].requests),
          summary[name].outcomes.join("; "),
          runs[name].length,
        ]),
      },
    ],
    targets: [
      {
        target: `nothing configured: a typed error in under ${TARGET_MS} ms with zero requests`,
        measured: `ours: ${ours.every((value) => value.allTypedNoPod) ? "NoPodCredentialsError" : "not always NoPodCredentialsError"} in ${fmt(oursMs)} ms (median, worst endpoint), ${oursRequests} requests; SDK chain: ${fmt(summary.sdkRefusing.ms)} ms refused, ${fmt(summary.sdkSilent.ms)} ms silent, node credentials when IMDS answers`,
        met: ours.every((value) => value.allTypedNoPod) && oursMs < TARGET_MS && oursRequests === 0,
        why:
          oursRequests > 0
            ? "ours made a request although nothing is configured."
            : oursMs < TARGET_MS
              ? "ours decides from the environment and the annotations file alone that no pod-scoped source is configured, and throws before any network request; the node's instance profile is only tried when allowed."
              : `ours made no request, but took ${fmt(oursMs)} ms (creating the chain, reading the environment and the annotations file, building the error) on this noisy machine.`,
      },
    ],
    data: summary,
  };
};
