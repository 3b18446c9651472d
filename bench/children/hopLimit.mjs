// Child: the node's instance profile behind a hop limit of 1. One first resolution, then `refreshes` refreshes, each
// timed: `forceRefresh` for the chains, a plain call for the bare (uncached) SDK fromInstanceMetadata().
import { childInput, describeError, keyPrefix, loadImplementation } from "../lib/implementations.mjs";
import { report } from "../lib/runChild.mjs";

const input = childInput();
const provider = (await loadImplementation(input))();
const refreshOptions = input.impl === "sdkInstanceMetadata" ? undefined : { forceRefresh: true };
const timed = async (options) => {
  const started = process.hrtime.bigint();
  const credentials = await provider(options);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, credentials };
};
try {
  const first = await timed(undefined);
  const refreshMs = [];
  for (let index = 0; index < input.refreshes; index++) refreshMs.push((await timed(refreshOptions)).ms);
  report({ ok: true, firstMs: first.ms, refreshMs, keyPrefix: keyPrefix(first.credentials) });
} catch (error) {
  report({ ok: false, error: describeError(error) });
}
