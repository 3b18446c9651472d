// The proxy variables as the real tools read them. `proxyFor` says it reads them "as curl reads them", and an operator
// checks a pod's set-up with curl or the AWS CLI: each environment below is given to curl (run for real, against two
// loopback CONNECT proxies, with the STS host resolved to loopback so that nothing leaves the machine) and to
// botocore's own proxy selection (`get_environ_proxies`, what the AWS CLI uses), and ours must pick the same proxy,
// or none, as both. Either tool missing: its comparison is skipped with one printed line.
import { execFile, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proxyFor } from "../../src/wire/http.js";
import { type ConnectProxy, startConnectProxy } from "./connectProxy.js";

const STS = "https://sts.eu-west-1.amazonaws.com/";

const curlAvailable = spawnSync("curl", ["--version"]).status === 0;
const botocoreAvailable = spawnSync("python3", ["-c", "import botocore.utils"]).status === 0;
if (!curlAvailable) console.log("proxyVariables.test.ts: curl not found; curl comparisons skipped");
if (!botocoreAvailable)
  console.log("proxyVariables.test.ts: python3 with botocore not found; botocore comparisons skipped");

let lower: ConnectProxy;
let upper: ConnectProxy;
beforeAll(async () => {
  // Both refuse every tunnel: a CONNECT received is the whole answer, and curl stops at once.
  [lower, upper] = await Promise.all([
    startConnectProxy(() => 1, { refuse: 403 }),
    startConnectProxy(() => 1, { refuse: 403 }),
  ]);
});
afterAll(async () => {
  await Promise.all([lower?.close(), upper?.close()]);
});

type Which = "lower" | "upper" | "none";

/** The environment with `LOWER`/`UPPER` standing for the two proxies' URLs. */
const materialise = (env: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).map(([name, value]) => [name, value.replace("LOWER", lower.url).replace("UPPER", upper.url)]),
  );

const which = (proxy: string | null | undefined): Which =>
  !proxy ? "none" : proxy.startsWith(lower.url) ? "lower" : proxy.startsWith(upper.url) ? "upper" : "none";

/** Which proxy curl sent its CONNECT to, if any: the direct path goes to 127.0.0.1:443, which is not ours. */
const curl = async (env: Record<string, string>): Promise<Which> => {
  const before = [lower.tunnels.length, upper.tunnels.length];
  await new Promise<void>((resolve) => {
    execFile(
      "curl",
      ["-s", "-o", "/dev/null", "--max-time", "10", "--resolve", "sts.eu-west-1.amazonaws.com:443:127.0.0.1", STS],
      { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } },
      () => resolve(),
    );
  });
  if (lower.tunnels.length > (before[0] ?? 0)) return "lower";
  if (upper.tunnels.length > (before[1] ?? 0)) return "upper";
  return "none";
};

const BOTOCORE = `
import sys
from urllib.parse import urlparse
import botocore.utils
print(botocore.utils.get_environ_proxies(sys.argv[1]).get(urlparse(sys.argv[1]).scheme) or "")
`;
const botocore = (env: Record<string, string>): Which => {
  const run = spawnSync("python3", ["-c", BOTOCORE, STS], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/", ...env },
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return which(run.stdout.trim());
};

/** Environments on which curl and botocore agree: ours must pick what both pick. */
const agreed: [string, Record<string, string>, Which][] = [
  ["HTTPS_PROXY alone", { HTTPS_PROXY: "UPPER" }, "upper"],
  ["https_proxy alone", { https_proxy: "LOWER" }, "lower"],
  ["https_proxy wins over HTTPS_PROXY", { https_proxy: "LOWER", HTTPS_PROXY: "UPPER" }, "lower"],
  ["HTTP_PROXY is not for https", { HTTP_PROXY: "UPPER", http_proxy: "LOWER" }, "none"],
  ["NO_PROXY=*", { HTTPS_PROXY: "UPPER", NO_PROXY: "*" }, "none"],
  [
    "NO_PROXY=amazonaws.com: the domain and its subdomains",
    { HTTPS_PROXY: "UPPER", NO_PROXY: "amazonaws.com" },
    "none",
  ],
  ["NO_PROXY=.amazonaws.com", { HTTPS_PROXY: "UPPER", NO_PROXY: ".amazonaws.com" }, "none"],
  ["NO_PROXY in capitals: names compare without case", { HTTPS_PROXY: "UPPER", NO_PROXY: "AMAZONAWS.COM" }, "none"],
  [
    "NO_PROXY with spaces after commas",
    { HTTPS_PROXY: "UPPER", NO_PROXY: "example.com, sts.eu-west-1.amazonaws.com" },
    "none",
  ],
  ["NO_PROXY with spaces around the one entry", { HTTPS_PROXY: "UPPER", NO_PROXY: " amazonaws.com " }, "none"],
  ["NO_PROXY with an empty entry", { HTTPS_PROXY: "UPPER", NO_PROXY: "example.com,,amazonaws.com" }, "none"],
  ["NO_PROXY=mazonaws.com: a suffix that is not a domain", { HTTPS_PROXY: "UPPER", NO_PROXY: "mazonaws.com" }, "upper"],
  ["NO_PROXY=west-1.amazonaws.com.evil", { HTTPS_PROXY: "UPPER", NO_PROXY: "west-1.amazonaws.com.evil" }, "upper"],
  [
    "no_proxy wins over NO_PROXY",
    { HTTPS_PROXY: "UPPER", no_proxy: "example.com", NO_PROXY: "amazonaws.com" },
    "upper",
  ],
];

describe("the proxy for STS, as curl and the AWS CLI pick it", () => {
  it.each(agreed)("%s", async (_, template, expected) => {
    const env = materialise(template);
    expect(which(proxyFor(STS, env))).toBe(expected);
    if (botocoreAvailable) expect(botocore(env)).toBe(expected);
    if (curlAvailable) expect(await curl(env)).toBe(expected);
  });
});

/**
 * Where curl and botocore part ways, ours reads the variables as curl does (what `proxyFor` promises): an empty
 * variable counts as unset, and spaces separate NO_PROXY entries as commas do. botocore's reading is pinned beside.
 */
const curlOverBotocore: [string, Record<string, string>, Which, Which][] = [
  [
    "an empty https_proxy is unset: HTTPS_PROXY applies (botocore: no proxy)",
    { https_proxy: "", HTTPS_PROXY: "UPPER" },
    "upper",
    "none",
  ],
  [
    "an empty no_proxy is unset: NO_PROXY applies (botocore: nothing exempt)",
    { HTTPS_PROXY: "UPPER", no_proxy: "", NO_PROXY: "amazonaws.com" },
    "none",
    "upper",
  ],
  [
    "NO_PROXY separated by spaces is a list (botocore: one entry)",
    { HTTPS_PROXY: "UPPER", NO_PROXY: "example.com sts.eu-west-1.amazonaws.com" },
    "none",
    "upper",
  ],
];

describe("where curl and botocore differ, ours reads as curl", () => {
  it.each(curlOverBotocore)("%s", async (_, template, expected, botocoreReading) => {
    const env = materialise(template);
    expect(which(proxyFor(STS, env))).toBe(expected);
    if (botocoreAvailable) expect(botocore(env)).toBe(botocoreReading);
    if (curlAvailable) expect(await curl(env)).toBe(expected);
  });
});

/**
 * NO_PROXY forms that neither curl (7.88) nor botocore honour, but Go's proxy rules (kubectl, most Kubernetes tools)
 * do: `*.domain`, `host:port`, and `*` as one entry of a list. Ours exempts them (test/proxy/proxyFor.test.ts): an
 * operator who wrote them meant "not through the proxy". Pinned here so the difference from both tools stays visible.
 */
const goForms: [string, string][] = [
  ["*.amazonaws.com", "*.amazonaws.com"],
  ["host:443", "sts.eu-west-1.amazonaws.com:443"],
  ["* in a list", "example.com,*"],
];

describe("NO_PROXY forms only Go's rules honour", () => {
  it.each(goForms)("%s: exempt for ours, not for curl or botocore", async (_, noProxy) => {
    const env = materialise({ HTTPS_PROXY: "UPPER", NO_PROXY: noProxy });
    expect(which(proxyFor(STS, env))).toBe("none");
    if (botocoreAvailable) expect(botocore(env)).toBe("upper");
    if (curlAvailable) expect(await curl(env)).toBe("upper");
  });
});
