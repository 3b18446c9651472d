// The mutation run used for the closing note of issue 7: the library's core (src/ without the doctor, the CLI and the
// test doubles), which finishes in well under an hour on 2 cores. `npm run mutation` runs the whole of src/.
import base from "./stryker.config.mjs";

export default {
  ...base,
  mutate: [...base.mutate, "!src/doctor/**", "!src/cli/**"],
  htmlReporter: { fileName: "reports/mutation/core.html" },
  jsonReporter: { fileName: "reports/mutation/core.json" },
};
