// Child: `calls` concurrent calls on a provider that has no credentials yet; milliseconds until every one settled.
import { childInput, describeError, keyPrefix, loadImplementation } from "../lib/implementations.mjs";
import { report } from "../lib/runChild.mjs";

const input = childInput();
const provider = (await loadImplementation(input))();
const started = process.hrtime.bigint();
const outcomes = await Promise.allSettled(Array.from({ length: input.calls }, () => provider()));
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const fulfilled = outcomes.filter((outcome) => outcome.status === "fulfilled");
const rejected = outcomes.filter((outcome) => outcome.status === "rejected");
report({
  ms,
  fulfilled: fulfilled.length,
  rejected: rejected.length,
  distinctKeys: new Set(fulfilled.map((outcome) => outcome.value.accessKeyId)).size,
  keyPrefix: keyPrefix(fulfilled[0]?.value),
  firstError: rejected[0] === undefined ? undefined : describeError(rejected[0].reason),
});
