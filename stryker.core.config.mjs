// The mutation run reported in the closing note of issue 7: the chain's decision core (caching and refresh, the chain,
// and the sources' decisions), which finishes within a work session on 2 cores. `npm run mutation` runs all of src/.
import base from "./stryker.config.mjs";

export default {
  ...base,
  mutate: [
    "src/chain/**/*.ts",
    "src/sources/kube2iam.ts",
    "src/sources/podIdentity.ts",
    "src/sources/webIdentity.ts",
    "src/sources/instanceProfile.ts",
  ],
  htmlReporter: { fileName: "reports/mutation/core.html" },
  jsonReporter: { fileName: "reports/mutation/core.json" },
  incrementalFile: "reports/stryker-incremental-core.json",
};
