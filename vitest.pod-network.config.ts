// The pod network suite (`npm run test:pod-network`, through scripts/pod-network/run.mjs): its files end in
// `.netns.ts`, so the default config (`test/**/*.test.ts`) never picks them up and `npm test` stays as it is.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/podNetwork/**/*.netns.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 30_000,
  },
});
