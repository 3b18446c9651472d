#!/usr/bin/env node
// The `pod-credentials` command: process wiring only (arguments, environment, streams, exit code).
import { packageVersion, runCliReportingFailures } from "./runCli.js";

runCliReportingFailures({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  version: packageVersion(process.argv[1]),
  onShutdown: (stop) => {
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  },
}).then((code) => {
  process.exitCode = code;
});
