// Child: a fleet of `chains` credential chains created in the same second (IRSA, 1-hour credentials), each called
// once per simulated second for `seconds` simulated seconds; records the STS requests of each simulated second.
//
// The clock is simulated: globalThis.Date is replaced, before anything else is loaded, by a subclass whose now() and
// no-argument constructor return the simulated time. Timers stay real, so HTTP (and its timeouts) works as usual.
// The fake STS runs in this process, so the expirations it issues follow the simulated clock. After each second's
// calls, the child waits until every background refresh they started has finished (no request in flight at the fake
// STS and no pending I/O, timer or immediate beyond the baseline, for several turns of the event loop) before moving
// the clock on, so each refresh is counted in the second that started it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { pathToFileURL } from "node:url";

const RealDate = Date;
const start = Math.floor(RealDate.now() / 1000) * 1000;
let simulatedNow = start;
class SimulatedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(simulatedNow);
    else super(...args);
  }
  static now() {
    return simulatedNow;
  }
}
globalThis.Date = SimulatedDate;

const { childInput, describeError, loadImplementation } = await import("../lib/implementations.mjs");
const { report } = await import("../lib/runChild.mjs");
const input = childInput();
const testing = await import(pathToFileURL(join(input.dist, "testing", "index.js")).href);

// The fake STS, in this process. Each answer closes its connection, so that an idle connection never looks like work
// in progress (every refresh builds a new STS client in both implementations, so no connection would be reused anyway).
const token = readFileSync(process.env.AWS_WEB_IDENTITY_TOKEN_FILE, "utf8");
const sts = testing.fakeSts({ expectedToken: token, expectedRoleArn: process.env.AWS_ROLE_ARN, durationSeconds: 3600 });
let inFlight = 0;
const server = await testing.startLoopbackServer(async (request) => {
  inFlight++;
  try {
    const response = await sts.handler(request);
    const headers = new Headers(response.headers);
    headers.set("connection", "close");
    return new Response(await response.arrayBuffer(), { status: response.status, headers });
  } finally {
    inFlight--;
  }
});
process.env.AWS_ENDPOINT_URL_STS = server.url;

const countResources = () => {
  const counts = new Map();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
};
// Touch stdout and stderr first: their pipes are opened lazily and would otherwise look like work in progress.
void process.stdout;
void process.stderr;
const baseline = countResources();
const busy = () => {
  if (inFlight > 0) return true;
  for (const [type, count] of countResources()) if (count > (baseline.get(type) ?? 0)) return true;
  return false;
};
const QUIET_TURNS = 3;
const SETTLE_LIMIT_MS = 30_000;
let settleLimitHit = 0;
const settle = async () => {
  const began = performance.now();
  for (let quiet = 0; quiet < QUIET_TURNS; ) {
    await nextTurn();
    quiet = busy() ? 0 : quiet + 1;
    if (performance.now() - began > SETTLE_LIMIT_MS) {
      settleLimitHit++;
      return;
    }
  }
};

const make = await loadImplementation(input);
const chains = Array.from({ length: input.chains }, () => make());
const requestsPerSecond = [];
const rejectionsPerSecond = [];
let firstRejection;
const realStarted = performance.now();
for (let second = 0; second < input.seconds; second++) {
  simulatedNow = start + second * 1000;
  const before = sts.requests.length;
  const outcomes = [];
  // Second 0: the first resolutions, `initialBatch` at a time (the simulated clock does not move meanwhile). Separate
  // pods resolve on separate CPUs; 1,000 STS exchanges started at once in this one process would block its event loop
  // for seconds, which no real pod sees.
  const batch = second === 0 ? input.initialBatch : chains.length;
  for (let index = 0; index < chains.length; index += batch) {
    outcomes.push(...(await Promise.allSettled(chains.slice(index, index + batch).map((provider) => provider()))));
  }
  await settle();
  requestsPerSecond.push(sts.requests.length - before);
  const rejected = outcomes.filter((outcome) => outcome.status === "rejected");
  rejectionsPerSecond.push(rejected.length);
  if (rejected.length > 0 && firstRejection === undefined)
    firstRejection = { second, ...describeError(rejected[0].reason) };
}
const realMs = performance.now() - realStarted;
await server.close();
report({
  requestsPerSecond,
  totalRequests: sts.requests.length,
  rejections: rejectionsPerSecond.reduce((sum, count) => sum + count, 0),
  firstRejection,
  settleLimitHit,
  realMs,
  baselineResources: Object.fromEntries(baseline),
});
