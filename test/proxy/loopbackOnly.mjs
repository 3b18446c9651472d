// Preloaded (`node --import`) into the pod processes of the proxy tests: any socket to an address outside loopback
// is refused, so a request the proxy should have carried fails instead of leaving the machine.
import net from "node:net";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1)$/;
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function loopbackOnly(...args) {
  const [first] = Array.isArray(args[0]) ? args[0] : args;
  const host =
    typeof first === "object" && first !== null ? first.host : typeof args[1] === "string" ? args[1] : undefined;
  const isPipe =
    typeof first === "object" && first !== null ? typeof first.path === "string" : typeof first === "string";
  if (!isPipe && host !== undefined && !LOOPBACK.test(host)) {
    throw Object.assign(new Error(`loopbackOnly: refused a connection to ${host}`), { code: "ELOOPBACKONLY" });
  }
  return connect.apply(this, args);
};
