// Runs inside a namespace (`ip netns exec <ns> node serve.mjs '<spec>'`): the packed package's fakes, each served by
// startLoopbackServer on 127.0.0.1 and reached at the namespace's real addresses through a byte-for-byte TCP (or TLS)
// relay, since startLoopbackServer binds 127.0.0.1 only. Prints `READY` once listening; answers `report` on stdin
// with one JSON line (requests, connections, credentials); exits when stdin closes.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";
import { createInterface } from "node:readline";
import tls from "node:tls";
import {
  fakeImds,
  fakeKiam,
  fakeKube2iam,
  fakePodIdentityAgent,
  fakeSts,
  startLoopbackServer,
} from "pod-credentials/testing";

const spec = JSON.parse(process.argv[2] ?? "{}");
const MAKERS = {
  imds: fakeImds,
  kube2iam: fakeKube2iam,
  kiam: fakeKiam,
  podIdentityAgent: fakePodIdentityAgent,
  sts: fakeSts,
};

/** What kube2iam and kiam do with the paths they do not answer: a real HTTP request to the metadata service. */
const upstreamOver = (origin) => async (request) => {
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  for (const name of ["host", "connection", "content-length"]) headers.delete(name);
  const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
  try {
    return await fetch(`${origin}${url.pathname}${url.search}`, {
      method: request.method,
      headers,
      body,
      signal: AbortSignal.timeout(5000),
    });
  } catch {
    return new Response(null, { status: 502 });
  }
};

/** Accepts on `host:port` and pipes every connection to `127.0.0.1:targetPort`, recording who connected. */
const relay = ({ host, port }, targetPort, tlsOptions, connections) =>
  new Promise((resolve, reject) => {
    const onSocket = (socket) => {
      connections.push({ remoteAddress: socket.remoteAddress, localAddress: socket.localAddress, localPort: port });
      const target = net.connect(targetPort, "127.0.0.1");
      socket.pipe(target).pipe(socket);
      socket.on("error", () => target.destroy());
      target.on("error", () => socket.destroy());
      socket.on("close", () => target.destroy());
      target.on("close", () => socket.destroy());
    };
    const server = tlsOptions === undefined ? net.createServer(onSocket) : tls.createServer(tlsOptions, onSocket);
    if (tlsOptions !== undefined) {
      server.on("tlsClientError", (error, socket) =>
        connections.push({
          remoteAddress: socket.remoteAddress,
          localPort: port,
          tlsError: error.code ?? error.message,
        }),
      );
    }
    server.once("error", reject);
    server.listen({ host, port, ipv6Only: host.includes(":") }, () => resolve(server));
  });

/** The hop-limited IMDS: python3 answers with IP TTL 1 what follows a token PUT, and relays to the fake. */
const hopLimitRelay = (listen, targetPort) =>
  new Promise((resolve, reject) => {
    const child = spawn(
      "python3",
      [new URL("./hopLimitRelay.py", import.meta.url).pathname, listen.host, String(listen.port), String(targetPort)],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    child.once("error", reject);
    child.stdout.once("data", () => resolve(child));
    process.on("exit", () => child.kill());
  });

const servers = [];
for (const entry of spec.servers ?? []) {
  const options = { ...entry.options };
  if (entry.upstream !== undefined) options.upstream = upstreamOver(entry.upstream);
  const fake = MAKERS[entry.fake](options);
  const loopback = await startLoopbackServer(fake.handler);
  const connections = [];
  const tlsOptions =
    entry.tls === undefined ? undefined : { cert: readFileSync(entry.tls.cert), key: readFileSync(entry.tls.key) };
  for (const listen of entry.listen) {
    if (entry.hopLimit === true) await hopLimitRelay(listen, loopback.port);
    else await relay(listen, loopback.port, tlsOptions, connections);
  }
  servers.push({ name: entry.name, fake, connections });
}

const report = () =>
  Object.fromEntries(
    servers.map(({ name, fake, connections }) => [
      name,
      {
        requests: fake.requests.map(({ method, path, search, headers }) => ({ method, path, search, headers })),
        connections,
        credentials: fake.credentials,
        ...("issued" in fake ? { issued: fake.issued, calls: fake.calls } : {}),
      },
    ]),
  );

const input = createInterface({ input: process.stdin });
input.on("line", (line) => {
  if (line.trim() === "report") process.stdout.write(`${JSON.stringify(report())}\n`);
});
input.on("close", () => process.exit(0));
process.stdout.write("READY\n");
