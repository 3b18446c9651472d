// The real-client suite (`npm run test:clients`): the AWS CLI v1, the AWS CLI v2 and boto3 against the built
// commands. Its files end in `.clients.ts`, so the default config (`test/**/*.test.ts`) never picks them up and
// `npm test` stays quick.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/clients/**/*.clients.ts"],
    setupFiles: ["test/support/isolateEnvironment.ts", "test/support/networkGuard.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
