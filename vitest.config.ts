import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/support/isolateEnvironment.ts", "test/support/networkGuard.ts", "test/support/leakCheck.ts"],
    pool: "forks",
    testTimeout: 15_000,
    restoreMocks: true,
    unstubEnvs: true,
  },
});
