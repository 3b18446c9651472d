// Child: 50 keep-alive clients, each sending GET after GET for a fixed time, against one URL; every answer must be
// 200 with the expected length. Reports requests per second and latency percentiles (after a warm-up).
import { Agent, request } from "node:http";
import { report } from "../lib/runChild.mjs";

const input = JSON.parse(process.argv.at(-1));
const { url, token, connections, warmupMs, durationMs, bodyLength } = input;
const agent = new Agent({ keepAlive: true, maxSockets: connections });
const headers = token === undefined ? {} : { Authorization: token };
const target = new URL(url);

const once = () =>
  new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, agent, headers },
      (response) => {
        let length = 0;
        response.on("data", (chunk) => {
          length += chunk.length;
        });
        response.on("end", () => {
          if (response.statusCode !== 200 || length !== bodyLength) {
            reject(new Error(`answer ${response.statusCode}, ${length} bytes (expected 200, ${bodyLength})`));
          } else resolve(Number(process.hrtime.bigint() - started) / 1e6);
        });
      },
    );
    req.on("error", reject);
    req.end();
  });

const latencies = [];
let measuring = false;
let stop = false;
const client = async () => {
  while (!stop) {
    const ms = await once();
    if (measuring) latencies.push(ms);
  }
};
const clients = Array.from({ length: connections }, client);
await new Promise((resolve) => setTimeout(resolve, warmupMs));
measuring = true;
const started = process.hrtime.bigint();
await new Promise((resolve) => setTimeout(resolve, durationMs));
measuring = false;
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
stop = true;
await Promise.all(clients);
agent.destroy();
latencies.sort((a, b) => a - b);
const at = (share) => latencies[Math.min(latencies.length - 1, Math.floor(share * latencies.length))];
report({ requests: latencies.length, perSecond: latencies.length / seconds, p50: at(0.5), p99: at(0.99) });
