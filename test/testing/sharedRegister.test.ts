// The register of fake credentials is one per process, whichever build recorded them: credentials made with the
// CommonJS build of pod-credentials/testing verify at a fake STS from the ESM build (npm test builds both first).
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { expect, it } from "vitest";
import { call } from "./serveFake.js";
import { signedCall } from "./signedCall.js";

type Testing = typeof import("../../src/testing/index.js");
const ESM = resolve("dist/esm/testing/index.js");
const CJS = resolve("dist/cjs/testing/index.js");

it("credentials made by the CommonJS build verify at the ESM build's fake STS", async () => {
  if (!existsSync(ESM) || !existsSync(CJS))
    throw new Error(`${ESM} is missing: run "npm run build" first (npm test does).`);
  const esm = (await import(pathToFileURL(ESM).href)) as Testing;
  const cjs = createRequire(import.meta.url)(CJS) as Testing;
  const made = cjs.createFakeCredentials("CJS");
  const identity = { arn: "arn:aws:iam::123456789012:user/cjs", account: "123456789012", userId: "AIDACJS" };
  const sts = esm.fakeSts({ callerIdentity: identity });
  const server = await esm.startLoopbackServer(sts.handler);
  try {
    const { url, init } = await signedCall(server.url, { Action: "GetCallerIdentity", Version: "2011-06-15" }, made);
    const answer = await call(url, init);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain(`<Arn>${identity.arn}</Arn>`);
    expect(sts.calls.map((received) => received.signature)).toEqual(["verified"]);
  } finally {
    await server.close();
  }
});
