import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");
const blockMsw = join(root, "test", "support", "blockMsw.mjs");

const script = (load: string) => `
const testing = ${load};
const imds = testing.fakeImds();
const server = await testing.startLoopbackServer(imds.handler);
const answer = await fetch(server.url + "/latest/meta-data/iam/security-credentials/");
await server.close();
const mswError = await testing.mswHandlers("http://169.254.169.254", imds.handler).then(() => "loaded", (error) => error.message);
console.log(JSON.stringify({ status: answer.status, mswError }));
`;

describe("pod-credentials/testing without msw installed (msw is an optional peer dependency)", () => {
  it.each([
    ["ESM import", `await import(${JSON.stringify(join(root, "dist/esm/testing/index.js"))})`],
    [
      "CommonJS require",
      `(await import("node:module")).createRequire(import.meta.url)(${JSON.stringify(join(root, "dist/cjs/testing/index.js"))})`,
    ],
  ])("loads with %s; the loopback fakes work and only mswHandlers says msw is missing", async (_form, load) => {
    const { stdout } = await run(process.execPath, ["--import", blockMsw, "--input-type=module", "-e", script(load)], {
      env: { PATH: process.env.PATH ?? "", NODE_NO_WARNINGS: "1" },
    });
    const result = JSON.parse(stdout.trim());
    expect(result.status).toBe(200);
    expect(result.mswError).toMatch(/msw/);
    expect(result.mswError).not.toBe("loaded");
  });
});
