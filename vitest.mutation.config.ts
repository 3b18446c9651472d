// The test suite Stryker runs for each mutant: every in-process test of src/. Tests that run the built package in
// child processes (named `*.process.test.ts`) cannot see a mutant of src/ and are left
// out, which keeps runs short. The SDK-behaviour pins test the SDK, not src/.
import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.js";

export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: ["test/**/*.test.ts"],
      exclude: [
        "test/**/*.process.test.ts",
        "test/sdk-behaviour/**",
        // Load tests (1,000 chains, 1,000 requests: seconds each), which would run again for every mutant they cover.
        "test/chain/fleet.test.ts",
        "test/wire/http.resources.test.ts",
        "node_modules/**",
      ],
    },
  }),
);
