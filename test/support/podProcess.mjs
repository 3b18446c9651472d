// A pod, for the child-process tests (`*.process.test.ts`): the built package, configured by its environment alone.
// After its result line it prints what still keeps the process alive (`{"aliveAfterResult":[...]}`), so that a test can
// check that the process ends once the resolution has settled, without timing it.
import { fromPodProviderChain } from "../../dist/esm/index.js";

/** The standard streams' own handles: they close as the process exits. */
const STDIO = new Set(["PipeWrap", "TTYWrap"]);

try {
  const provider = fromPodProviderChain();
  const credentials = await provider();
  console.log(JSON.stringify({ ok: true, source: provider.describe()?.source, accessKeyId: credentials.accessKeyId }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, name: error.name, message: error.message }));
  process.exitCode = 2;
}
// Two turns of the event loop: handles closed while the resolution settled (a destroyed socket) finish closing in the
// first; whatever is still there in the second is work left running (a socket, a timer that is not unref'd).
setImmediate(() =>
  setImmediate(() => {
    const alive = process.getActiveResourcesInfo().filter((resource) => !STDIO.has(resource));
    console.log(JSON.stringify({ aliveAfterResult: alive }));
  }),
);
