// A loopback HTTP CONNECT proxy for the proxy tests. It counts the tunnels it opens, records each CONNECT's
// authority and Proxy-Authorization, and sends every tunnel to one loopback port (`upstream`), whatever host was
// asked for: nothing leaves the machine.
import { createServer, type Server } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";

export interface ConnectProxy {
  readonly url: string;
  /** One entry per CONNECT received, in order: the authority asked for and the Proxy-Authorization sent. */
  readonly tunnels: { authority: string; authorization: string | undefined }[];
  /** Plain (non-CONNECT) requests received: none is expected, the client only tunnels. */
  readonly plainRequests: string[];
  close(): Promise<void>;
}

/**
 * Starts the proxy. Each CONNECT is answered 200 and piped to `127.0.0.1:<upstream()>`, or refused with `refuse` (a
 * status such as 407) when given.
 */
export const startConnectProxy = async (
  upstream: () => number,
  { refuse }: { refuse?: number } = {},
): Promise<ConnectProxy> => {
  const tunnels: ConnectProxy["tunnels"] = [];
  const plainRequests: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    plainRequests.push(`${request.method} ${request.url}`);
    response.writeHead(405).end();
  });
  server.on("connect", (request, client: Socket, head: Buffer) => {
    sockets.add(client);
    tunnels.push({ authority: request.url ?? "", authorization: request.headers["proxy-authorization"] });
    if (refuse !== undefined) {
      client.end(`HTTP/1.1 ${refuse} Refused\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const target = connect(upstream(), "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) target.write(head);
      target.pipe(client);
      client.pipe(target);
    });
    sockets.add(target);
    const close = () => {
      target.destroy();
      client.destroy();
    };
    target.on("error", close);
    client.on("error", close);
    target.on("close", close);
    client.on("close", close);
  });
  server.on("connection", (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    plainRequests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
};
