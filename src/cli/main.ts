#!/usr/bin/env node
// The `pod-credentials` command: process wiring only (arguments, environment, streams, exit code).
import { packageVersion } from "./packageVersion.js";
import { runCli } from "./runCli.js";

runCli({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  version: packageVersion(process.argv[1]),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A bug in the doctor itself. Name and message only: a stack trace helps nobody at 3 a.m. and could quote data.
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.stderr.write(`pod-credentials: the doctor itself failed: ${text}\n`);
    process.exitCode = 1;
  },
);
