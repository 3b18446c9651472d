// Child: milliseconds from creating the provider to the first credentials (the package is already imported).
import { childInput, describeError, keyPrefix, loadImplementation } from "../lib/implementations.mjs";
import { report } from "../lib/runChild.mjs";

const input = childInput();
const make = await loadImplementation(input);
const started = process.hrtime.bigint();
try {
  const credentials = await make()();
  report({ ms: Number(process.hrtime.bigint() - started) / 1e6, ok: true, keyPrefix: keyPrefix(credentials) });
} catch (error) {
  report({ ms: Number(process.hrtime.bigint() - started) / 1e6, ok: false, error: describeError(error) });
}
