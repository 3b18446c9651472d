// Preloaded into every benchmark child (`node --import`): any TCP connection to a host outside 127.0.0.0/8 or ::1
// ends the process at once with exit code 97, before a packet leaves, so a mistake in a child's environment can never
// reach the real instance metadata service (169.254.169.254) or a real STS host. The parent treats that exit as a
// failed run. Checking costs a few string comparisons per connection, the same for both implementations.
import net from "node:net";

export const VIOLATION_EXIT_CODE = 97;

const isLoopback = (host) => {
  if (host === undefined || host === null || host === "" || host === "localhost") return true;
  const bare = String(host).replace(/^\[|\]$/g, "");
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare) || bare === "::1" || bare === "::ffff:127.0.0.1";
};

const targetOf = (args) => {
  // net.createConnection passes one normalized array ([options, callback]); user code may pass (options), (port, host)
  // or (path).
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (typeof first === "object" && first !== null) {
    if (typeof first.path === "string") return undefined; // a Unix socket or a pipe: local
    return first.host ?? "localhost";
  }
  if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
    return typeof args[1] === "string" ? args[1] : "localhost";
  }
  return undefined; // a path
};

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const host = targetOf(args);
  if (host !== undefined && !isLoopback(host)) {
    process.stderr.write(`BENCH_NETWORK_VIOLATION: refused a connection to ${host}; only loopback is allowed\n`);
    process.exit(VIOLATION_EXIT_CODE);
  }
  return originalConnect.apply(this, args);
};
