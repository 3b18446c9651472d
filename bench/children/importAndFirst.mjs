// Child: milliseconds from the start of the import of the implementation to its first credentials: what a new pod
// waits for before its first AWS call (Node's own start-up, the same for both, excluded).
import { childInput, describeError, keyPrefix, loadImplementation } from "../lib/implementations.mjs";
import { report } from "../lib/runChild.mjs";

const input = childInput();
const started = process.hrtime.bigint();
const ms = () => Number(process.hrtime.bigint() - started) / 1e6;
try {
  const make = await loadImplementation(input);
  const importMs = ms();
  const credentials = await make()();
  report({ ms: ms(), importMs, ok: true, keyPrefix: keyPrefix(credentials) });
} catch (error) {
  report({ ms: ms(), ok: false, error: describeError(error) });
}
