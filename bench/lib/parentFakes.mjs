// The loopback fakes the parent serves to its children, and request counting between runs.
import { createServer } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export const ROLE_ARN = "arn:aws:iam::123456789012:role/orders-reader";
export const POD_ROLE = "orders-reader";
const DAY_S = 24 * 3600;

/** Starts every fake the parent needs; `dist` is the built dist/esm folder. */
export const startParentFakes = async (dist) => {
  const testing = await import(pathToFileURL(join(dist, "testing", "index.js")).href);
  const { createFakeJwt, fakeImds, fakeKube2iam, fakePodIdentityAgent, fakeSts, startLoopbackServer } = testing;
  const token = createFakeJwt({ expiresInSeconds: DAY_S });
  const fakes = {
    sts: fakeSts({ expectedToken: token, expectedRoleArn: ROLE_ARN }),
    agent: fakePodIdentityAgent({ expectedToken: token }),
    imds: fakeImds({ roleName: "eks-node-role" }),
    kube2iamUpstream: fakeImds({ roleName: "eks-node-role" }),
    hopLimitedImds: fakeImds({ roleName: "eks-node-role", hopLimitExceeded: true }),
  };
  fakes.kube2iam = fakeKube2iam({ podRole: POD_ROLE, upstream: fakes.kube2iamUpstream.handler });
  const servers = {};
  for (const [name, fake] of Object.entries(fakes)) servers[name] = await startLoopbackServer(fake.handler);
  const silent = await startSilentServer();
  return {
    token,
    fakes,
    urls: Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, server.url])),
    silent,
    /** Clears every fake's request log (and the silent server's counters). */
    resetLogs: () => {
      for (const fake of Object.values(fakes)) fake.reset();
      silent.reset();
    },
    close: async () => {
      await Promise.all(Object.values(servers).map((server) => server.close()));
      await silent.close();
    },
  };
};

/** A loopback server that accepts connections and never answers: a metadata endpoint that went silent. */
const startSilentServer = async () => {
  const sockets = new Set();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("data", () => {});
    socket.on("error", () => {});
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    get connections() {
      return connections;
    },
    reset: () => {
      connections = 0;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
};
