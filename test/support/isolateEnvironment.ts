// Loaded before every test file: no AWS or POD_CREDENTIALS variable of the machine running the tests leaks into
// them, and HOME is an empty folder, so no ~/.aws file is read.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

for (const name of Object.keys(process.env)) {
  if (name.startsWith("AWS_") || name.startsWith("POD_CREDENTIALS_")) delete process.env[name];
}
process.env.HOME = mkdtempSync(join(tmpdir(), "pod-credentials-home-"));
