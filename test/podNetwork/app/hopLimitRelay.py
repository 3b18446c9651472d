# The EC2 metadata service's hop limit (HttpPutResponseHopLimit=1), for real: relays HTTP to the fake IMDS and, once
# a connection has carried a token PUT, sends everything on it with IP TTL 1 (IPv6: hop limit 1). The node, one hop
# away, would receive those answers; the pod, behind the node's forwarding, never does.
# Usage: python3 hopLimitRelay.py <listen address> <port> <fake IMDS port on 127.0.0.1>
import socket
import sys
import threading

host, port, target_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
family = socket.AF_INET6 if ":" in host else socket.AF_INET


def pump(source, sink, on_data=None):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            if on_data is not None:
                on_data(data)
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(client):
    upstream = socket.create_connection(("127.0.0.1", target_port))

    def limit_hops(data):
        if b"PUT /latest/api/token" in data:
            if family == socket.AF_INET:
                client.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 1)
            else:
                client.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 1)

    threading.Thread(target=pump, args=(client, upstream, limit_hops), daemon=True).start()
    pump(upstream, client)


listener = socket.socket(family, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind((host, port))
listener.listen(16)
print("READY", flush=True)
while True:
    connection, _ = listener.accept()
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
