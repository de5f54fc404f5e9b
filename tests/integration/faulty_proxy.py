#!/usr/bin/env python3
"""A TCP proxy in front of a registry that misbehaves once, for pull tests.

    faulty_proxy.py LISTEN_PORT TARGET_PORT MODE LOG

MODE "cut": the first blob response is cut after 1 MiB of its body.
MODE "503": the first blob request is answered 503 Service Unavailable.
Every request line (and its Range header) is appended to LOG.
"""
import socket
import sys
import threading

listen_port, target_port, mode, log_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
fault_done = threading.Event()
lock = threading.Lock()


def log(line):
    with lock, open(log_path, "a") as f:
        f.write(line + "\n")


def read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head + b"\r\n\r\n", rest


def pipe(source, destination):
    try:
        while True:
            chunk = source.recv(65536)
            if not chunk:
                break
            destination.sendall(chunk)
    except OSError:
        pass
    finally:
        destination.close()


def serve(client):
    try:
        first = client.recv(1, socket.MSG_PEEK)
        if first == b"\x16":  # a TLS handshake: let the registry answer it as it would
            upstream = socket.create_connection(("127.0.0.1", target_port))
            threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
            pipe(client, upstream)
            return
        head, rest = read_head(client)
        if not head:
            return
        lines = head.decode("latin-1").split("\r\n")
        request = lines[0]
        range_header = next((l for l in lines if l.lower().startswith("range:")), "")
        log(request + (" " + range_header if range_header else ""))
        is_blob = "/blobs/sha256:" in request and request.startswith("GET")
        if mode == "503" and is_blob and not fault_done.is_set():
            fault_done.set()
            client.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                           b"Connection: close\r\n\r\n")
            return
        upstream = socket.create_connection(("127.0.0.1", target_port))
        # One request per connection: simpler to cut at a known place.
        head = head.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1) \
            if b"connection:" not in head.lower() else head
        upstream.sendall(head + rest)
        cut = mode == "cut" and is_blob and not fault_done.is_set()
        sent_body, in_body, buffer = 0, False, b""
        while True:
            chunk = upstream.recv(65536)
            if not chunk:
                break
            if cut:
                if not in_body:
                    buffer += chunk
                    if b"\r\n\r\n" in buffer:
                        in_body = True
                        header, _, body = buffer.partition(b"\r\n\r\n")
                        client.sendall(header + b"\r\n\r\n")
                        chunk = body
                    else:
                        continue
                if sent_body + len(chunk) >= 1 << 20:
                    client.sendall(chunk[: (1 << 20) - sent_body])
                    fault_done.set()
                    log("cut after 1 MiB")
                    return
                sent_body += len(chunk)
            client.sendall(chunk)
        upstream.close()
    except OSError:
        pass
    finally:
        client.close()


server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", listen_port))
server.listen(64)
while True:
    connection, _ = server.accept()
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
