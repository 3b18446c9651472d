import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/support/networkGuard.ts"],
    pool: "forks",
    testTimeout: 15_000,
    restoreMocks: true,
    unstubEnvs: true,
  },
});
