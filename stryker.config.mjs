// Mutation testing: `npm run mutation`. Writes reports/mutation/mutation.html and mutation.json.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts" },
  plugins: ["@stryker-mutator/vitest-runner"],
  mutate: [
    "src/**/*.ts",
    // Test doubles shipped for users (their own tests cover them, but they are not the product's logic).
    "!src/testing/**",
    // Process wiring of the CLI, exercised only through the built binary in child processes.
    "!src/cli/main.ts",
    // Types and re-exports: nothing to mutate.
    "!src/index.ts",
  ],
  coverageAnalysis: "perTest",
  concurrency: 2,
  timeoutMS: 20_000,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: ".stryker-tmp",
  // Re-runs only the mutants whose code or covering tests changed since the last run (reports/ is not committed).
  incremental: true,
  incrementalFile: "reports/stryker-incremental.json",
};
