// Scenario: `pod-credentials serve` under 50 concurrent keep-alive clients, beside a bare node:http server that
// answers the same document (the physical limit of one Node.js process here). Throughput and p99 latency.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { alternate } from "../lib/alternate.mjs";
import { runChild } from "../lib/runChild.mjs";
import { fmt, fmtRatio, median, ratio, spread } from "../lib/stats.mjs";

const LOAD = new URL("../children/serveLoad.mjs", import.meta.url);
const BARE = new URL("../children/bareServer.mjs", import.meta.url);
const CONNECTIONS = 50;
const WARMUP_MS = 1_000;
const DURATION_MS = 4_000;
const DEFAULT_REPETITIONS = 5;
const TARGET_RATIO = 1.5;

/** Spawns a server process and resolves with its first line of standard output, and a stop function. */
const startServer = (args, env) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (chunk) => (err += chunk));
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      out += chunk;
      if (out.includes("\n")) resolve({ line: out.split("\n")[0], stop: () => stopChild(child) });
    });
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code}\n${err}`)));
  });

const stopChild = (child) =>
  new Promise((resolve) => {
    child.removeAllListeners("exit");
    child.once("exit", resolve);
    child.kill("SIGTERM");
  });

export const serveEndpoint = async ({ dist, env, profiles, sandbox, repetitionsOverride, progress }) => {
  const repetitions = repetitionsOverride ?? DEFAULT_REPETITIONS;
  const cli = join(dist, "cli", "main.js");
  const tokenFile = join(sandbox.root, "serve-token");
  const runs = await alternate(["serve", "bare"], repetitions, async (variant) => {
    progress(`serve, ${CONNECTIONS} keep-alive clients: ${variant}`);
    const serve = await startServer(
      [cli, "serve", "--listen", "127.0.0.1:0", "--token-file", tokenFile],
      env(profiles.podIdentity),
    );
    const url = /AWS_CONTAINER_CREDENTIALS_FULL_URI=(\S+)/.exec(serve.line)?.[1];
    const token = readFileSync(tokenFile, "utf8");
    const body = await (await fetch(url, { headers: { Authorization: token } })).text();
    if (!body.includes('"AccessKeyId":"ASIAPODID')) throw new Error(`serve answered ${body.slice(0, 80)}`);
    let server = serve;
    if (variant === "bare") {
      await serve.stop();
      server = await startServer([BARE.pathname, JSON.stringify({ body })], env({}));
    }
    try {
      const target = variant === "serve" ? url : server.line;
      const input = { url: target, token: variant === "serve" ? token : undefined, connections: CONNECTIONS };
      return await runChild(
        LOAD,
        { ...input, warmupMs: WARMUP_MS, durationMs: DURATION_MS, bodyLength: Buffer.byteLength(body) },
        { env: env({}), timeoutMs: 60_000 },
      );
    } finally {
      await server.stop();
    }
  });
  const of = (variant, key) => runs[variant].map((result) => result[key]);
  const p99Ratio = ratio(median(of("serve", "p99")), median(of("bare", "p99")));
  const throughputRatio = ratio(median(of("serve", "perSecond")), median(of("bare", "perSecond")));
  const met = p99Ratio <= TARGET_RATIO;
  const row = (label, variant) => [
    label,
    spread(of(variant, "perSecond"), "/s"),
    spread(of(variant, "p50"), " ms"),
    spread(of(variant, "p99"), " ms"),
    fmt(median(of(variant, "requests"))),
    runs[variant].length,
  ];
  return {
    id: "serve",
    title: "8. serve: the pod's endpoint under 50 keep-alive clients",
    method:
      `\`pod-credentials serve\` (Pod Identity through the fake agent; credentials cached after the first request) and a bare ` +
      `node:http server answering the same document with no token check and no provider, each in its own process. One load ` +
      `process runs ${CONNECTIONS} keep-alive clients, each sending GET after GET (serve's with the token), for ${WARMUP_MS / 1000} s ` +
      `of warm-up then ${DURATION_MS / 1000} s measured; every answer is checked (200, the document's length). Both servers and ` +
      `the load share the machine's cores, as a sidecar and its clients share a pod's.`,
    tables: [
      {
        headers: ["server", "requests per second", "p50", "p99", "requests measured (median)", "repetitions"],
        rows: [
          row("pod-credentials serve", "serve"),
          row("bare node:http, same document", "bare"),
          ["ratio serve/bare (of medians)", fmtRatio(throughputRatio), "", fmtRatio(p99Ratio), "", ""],
          [
            "p99 ratio per repetition (serve/bare, run back to back)",
            "",
            "",
            runs.serve.map((result, index) => fmtRatio(ratio(result.p99, runs.bare[index]?.p99))).join(", "),
            "",
            "",
          ],
        ],
      },
    ],
    targets: [
      {
        target: `serve's p99 at ${CONNECTIONS} keep-alive clients within ${TARGET_RATIO}x a bare node:http server's`,
        measured: `p99 ${fmt(median(of("serve", "p99")))} ms vs ${fmt(median(of("bare", "p99")))} ms (${fmtRatio(p99Ratio)}); throughput ${fmtRatio(throughputRatio)} of the bare server's`,
        met,
        why: met
          ? "a request costs serve one SHA-256 of the header, a constant-time comparison, the provider's cached promise and a document serialized once per set of credentials."
          : "serve's own work per request (token digest and comparison, the provider call, the access log check) is a larger share of a request than expected on this machine.",
      },
    ],
    data: runs,
  };
};
