// Child (run with --expose-gc): heap bytes per chain. One chain is created and resolved first and dropped, so that
// modules loaded lazily at the first resolution are in the baseline; then `chains` chains are created and resolved
// (in batches) and kept; the difference of heapUsed after a full GC, divided by the count.
import { childInput, loadImplementation } from "../lib/implementations.mjs";
import { report } from "../lib/runChild.mjs";

const input = childInput();
const make = await loadImplementation(input);
await make()();
const settle = async () => {
  for (let round = 0; round < 3; round++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    globalThis.gc();
  }
};
await settle();
const baseline = process.memoryUsage().heapUsed;
const chains = [];
for (let start = 0; start < input.chains; start += input.batch) {
  const batch = Array.from({ length: Math.min(input.batch, input.chains - start) }, () => make());
  await Promise.all(batch.map((provider) => provider()));
  chains.push(...batch);
}
await settle();
const after = process.memoryUsage().heapUsed;
report({
  bytesPerChain: (after - baseline) / chains.length,
  chains: chains.length,
  baselineHeap: baseline,
  afterHeap: after,
});
