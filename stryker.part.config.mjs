// Mutation testing by part, for runs that must fit in a work session on 2 cores (the whole of src/ takes about three
// hours): `MUTATION_PART=chain npm run mutation:part`, then `node scripts/summarize-mutation.mjs` with the parts'
// reports, comma-separated. Each part keeps its own incremental file, so running it again re-tests only what changed.
import base from "./stryker.config.mjs";

const PARTS = {
  chain: ["src/chain/**/*.ts", "src/sources/**/*.ts"],
  base: ["src/base/**/*.ts"],
  wire: ["src/wire/**/*.ts"],
  edge: ["src/doctor/**/*.ts", "src/cli/**/*.ts", "!src/cli/main.ts"],
};
const part = process.env.MUTATION_PART ?? "";
if (!(part in PARTS)) {
  throw new Error(`MUTATION_PART must be one of ${Object.keys(PARTS).join(", ")}; got ${JSON.stringify(part)}`);
}

export default {
  ...base,
  mutate: PARTS[part],
  htmlReporter: { fileName: `reports/mutation/part-${part}.html` },
  jsonReporter: { fileName: `reports/mutation/part-${part}.json` },
  incrementalFile: `reports/stryker-incremental-${part}.json`,
};
