// Loaded before every test file: no AWS or POD_CREDENTIALS variable of the machine running the tests leaks into
// them, and HOME is an empty folder, so no ~/.aws file is read.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

for (const name of Object.keys(process.env)) {
  if (name.startsWith("AWS_") || name.startsWith("POD_CREDENTIALS_")) delete process.env[name];
}
process.env.HOME = mkdtempSync(join(tmpdir(), "pod-credentials-home-"));
// The SDK's own switch (read in @aws-sdk/core) for its notice that releases after early 2027 need Node 22: the tests
// run on Node 20 on purpose, so in this process and the children that inherit its environment the notice is noise.
// Only the test processes set it; users of the package still see the SDK's notice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
