// The test suite Stryker runs for each mutant: every in-process test of src/. Tests that run the built package in
// child processes (integration, package, CLI) cannot see a mutant of src/ and are left out, which keeps runs short.
import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.js";

export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: ["test/**/*.test.ts"],
      exclude: ["test/integration/**", "test/package/**", "test/cli/**", "test/sdk-behaviour/**", "node_modules/**"],
    },
  }),
);
