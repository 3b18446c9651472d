// The real-client suite (`npm run test:clients`): the AWS CLI v1, the AWS CLI v2 and boto3 against the built
// commands. Its files end in `.clients.ts`, so the default config (`test/**/*.test.ts`) never picks them up and
// `npm test` stays quick. It also runs the fake STS's signature checks with every AWS CLI on the machine
// (REAL_AWS_CLIS=true), which npm test leaves to boto3 alone.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/clients/**/*.clients.ts", "test/testing/stsRealClients.process.test.ts"],
    env: { REAL_AWS_CLIS: "true" },
    setupFiles: ["test/support/isolateEnvironment.ts", "test/support/networkGuard.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
