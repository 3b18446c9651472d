// A pod, for the child-process tests (`*.process.test.ts`): the built package, configured by its environment alone.
// After its result line it prints what still keeps the process alive (`{"aliveAfterResult":[...]}`), so that a test
// can check that the process ends once the resolution has settled, without timing it.

/** Timers set through the global `setTimeout` and still pending: their delay and the code that set them. */
const pendingTimers = new Map();
const { setTimeout: realSetTimeout, clearTimeout: realClearTimeout } = globalThis;
globalThis.setTimeout = (callback, ms, ...args) => {
  const frames = (new Error().stack ?? "").split("\n").slice(2);
  const origin = frames
    .filter((frame) => !frame.includes("node:internal"))
    .slice(0, 4)
    .map((frame) => frame.trim())
    .join(" < ");
  const timer = realSetTimeout(
    (...given) => {
      pendingTimers.delete(timer);
      callback(...given);
    },
    ms,
    ...args,
  );
  pendingTimers.set(timer, `Timeout ${ms} ms ${origin}`);
  return timer;
};
globalThis.clearTimeout = (timer) => {
  for (const known of pendingTimers.keys()) {
    if (known === timer || Number(known) === timer) pendingTimers.delete(known);
  }
  realClearTimeout(timer);
};

/** The standard streams' own handles: they close as the process exits. */
const STDIO = new Set(["PipeWrap", "TTYWrap"]);

const { fromPodProviderChain } = await import("../../dist/esm/index.js");
try {
  const provider = fromPodProviderChain();
  const credentials = await provider();
  console.log(JSON.stringify({ ok: true, source: provider.describe()?.source, accessKeyId: credentials.accessKeyId }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, name: error.name, message: error.message }));
  process.exitCode = 2;
}
// Two turns of the event loop: handles closed while the resolution settled (a destroyed socket) finish closing in the
// first; whatever is still there in the second is work left running (a socket, a timer that is not unref'd). A timer
// set through setTimeout is shown with its delay and the line that set it.
setImmediate(() =>
  setImmediate(() => {
    const timers = [...pendingTimers].filter(([timer]) => timer.hasRef()).map(([, described]) => described);
    const alive = process
      .getActiveResourcesInfo()
      .filter((resource) => !STDIO.has(resource))
      .map((resource) => (resource === "Timeout" ? (timers.shift() ?? "Timeout") : resource));
    console.log(JSON.stringify({ aliveAfterResult: alive }));
  }),
);
