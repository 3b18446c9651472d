import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/support/isolateEnvironment.ts", "test/support/networkGuard.ts", "test/support/leakCheck.ts"],
    pool: "forks",
    testTimeout: 15_000,
    restoreMocks: true,
    unstubEnvs: true,
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      exclude: [
        // Process wiring only (8 lines, no branches); run as the built binary by test/cli/doctor.test.ts.
        "src/cli/main.ts",
        // Re-exports and type-only modules: no code to cover.
        "src/**/index.ts",
        "src/base/options.ts",
      ],
      reporter: ["text-summary", "json-summary"],
      reportsDirectory: "coverage",
      thresholds: { lines: 90, branches: 90 },
    },
  },
});
