// Child: what the first call gives when no pod identity is configured, and after how many milliseconds.
import { childInput, describeError, keyPrefix, loadImplementation } from "../lib/implementations.mjs";
import { report } from "../lib/runChild.mjs";

const input = childInput();
const make = await loadImplementation(input);
const started = process.hrtime.bigint();
const outcome = await make()().then(
  (credentials) => ({ ok: true, keyPrefix: keyPrefix(credentials) }),
  (error) => ({ ok: false, error: describeError(error) }),
);
report({ ms: Number(process.hrtime.bigint() - started) / 1e6, ...outcome });
