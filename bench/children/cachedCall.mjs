// Child: nanoseconds per call once credentials are cached. Resolves once, warms up, then times `rounds` rounds of
// `calls` awaited calls each and reports the median round. Implementation "reference" is a function returning an
// already resolved promise: what the timing loop itself costs; "clockFloor" adds one wall-clock read to it.
import { childInput, keyPrefix, loadImplementation } from "../lib/implementations.mjs";
import { report } from "../lib/runChild.mjs";
import { median } from "../lib/stats.mjs";

const input = childInput();
const REFERENCE_CREDENTIALS = Object.freeze({
  accessKeyId: "ASIAREFERENCE0000000",
  secretAccessKey: "reference",
  sessionToken: "reference",
});
// "clockFloor": the least a provider that checks the wall clock at every call can do: one Date.now() compared with a
// time far ahead, then the same already resolved promise every time.
const SETTLED = Promise.resolve(REFERENCE_CREDENTIALS);
const FAR_AHEAD = Date.now() + 24 * 3600 * 1000;
const provider =
  input.impl === "reference"
    ? () => Promise.resolve(REFERENCE_CREDENTIALS)
    : input.impl === "clockFloor"
      ? (properties) =>
          properties?.forceRefresh !== true && Date.now() < FAR_AHEAD
            ? SETTLED
            : Promise.reject(new Error("unreachable"))
      : (await loadImplementation(input))();
const first = await provider();
for (let index = 0; index < input.warmupCalls; index++) await provider();
const rounds = [];
let last;
for (let round = 0; round < input.rounds; round++) {
  const started = process.hrtime.bigint();
  for (let index = 0; index < input.calls; index++) last = await provider();
  rounds.push(Number(process.hrtime.bigint() - started) / input.calls);
}
report({
  nsPerCall: median(rounds),
  rounds,
  keyPrefix: keyPrefix(first),
  sameCredentialsThroughout: last?.accessKeyId === first.accessKeyId,
});
