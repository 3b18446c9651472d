import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fakeImds, mswHandlers } from "../../src/testing/index.js";
import { mswServer } from "../support/mswServer.js";

describe("mswHandlers", () => {
  it("intercepts node:http requests too, as the SDK's NodeHttpHandler makes them", async () => {
    // A loopback origin with nothing listening: should interception ever fail, the request is refused locally and
    // cannot leave the machine. (An ESM named import of `request` from node:http escapes msw's patch: use the module.)
    const origin = "http://127.0.0.1:9";
    const imds = fakeImds({ roleName: "eks-node" });
    mswServer.use(...(await mswHandlers(`${origin}/`, imds.handler)));
    const { status, body, server } = await new Promise<{ status: number; body: string; server: string | undefined }>(
      (resolve, reject) => {
        const outgoing = http.request(
          `${origin}/latest/meta-data/iam/security-credentials/`,
          { timeout: 1_000 },
          (incoming) => {
            let text = "";
            incoming.setEncoding("utf8");
            incoming.on("data", (chunk: string) => (text += chunk));
            incoming.on("end", () => {
              const server = incoming.headers.server;
              resolve({
                status: incoming.statusCode ?? 0,
                body: text,
                server: server === undefined ? undefined : String(server),
              });
            });
          },
        );
        outgoing.on("error", reject);
        outgoing.end();
      },
    );
    expect({ status, body, server }).toEqual({ status: 200, body: "eks-node", server: "EC2ws" });
    expect(imds.requests).toHaveLength(1);
  });

  it("answers only under its base URL", async () => {
    const handlers = await mswHandlers("http://169.254.169.254", fakeImds().handler);
    expect(handlers).toHaveLength(1);
    expect(handlers[0]?.info.path).toBe("http://169.254.169.254/*");
  });
});

describe("pod-credentials/testing without msw", () => {
  it("never imports msw statically: only type imports and the lazy import in mswHandlers", () => {
    const folder = fileURLToPath(new URL("../../src/testing/", import.meta.url));
    for (const file of readdirSync(folder).filter((name) => name.endsWith(".ts"))) {
      const source = readFileSync(`${folder}${file}`, "utf8");
      const valueImports = source.match(/^import (?!type )[^;]*from "msw(\/[^"]*)?";/gm) ?? [];
      expect(valueImports, file).toEqual([]);
      expect(source.match(/^export [^;]*from "msw(\/[^"]*)?";/gm) ?? [], file).toEqual([]);
    }
  });
});
