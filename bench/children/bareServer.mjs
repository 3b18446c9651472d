// Child: the physical limit serve is compared with, a bare node:http server answering every request with the same
// document serve returns (no token check, no provider). Prints its URL on standard output once listening.
import { createServer } from "node:http";

const { body } = JSON.parse(process.argv.at(-1));
const length = Buffer.byteLength(body);
const server = createServer((_request, response) => {
  response.writeHead(200, {
    "Content-Type": "application/json",
    "Content-Length": length,
    "Cache-Control": "no-store",
  });
  response.end(body);
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}/v1/credentials\n`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
