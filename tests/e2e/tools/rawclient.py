#!/usr/bin/env python3
"""tests/e2e/tools/rawclient.py: a misbehaving virtmux client, for the server's
error paths. Usage: rawclient.py SOCKET MODE [N]
  version N   HELLO of protocol version N; prints the EXIT the server sends
  garbage     random bytes; prints whether the server closed the connection
  oversize    a frame header larger than the protocol allows; prints the EXIT
  mute        a screen client that reads its first frame and never
              acknowledges it; prints the seconds until it was let go and why
  silent N    N connections that never say HELLO, held open until stdin closes;
              prints "open N" once they are all connected
"""
import os
import socket
import struct
import sys

MAGIC = 0x584d4d56


def frame(kind, payload):
    return struct.pack("<IH", len(payload) + 2, kind) + payload


def s(text):
    data = text.encode()
    return struct.pack("<I", len(data)) + data


def hello(version):
    payload = struct.pack("<IIBHHH", MAGIC, version, 1, 24, 80, 0) + s("xterm") + s("/")
    payload += struct.pack("<H", 1) + struct.pack("<H", 1) + s("server-info")
    return frame(1, payload)


def screen_hello():
    """A client that shows the server's most recent session, as virtmux does."""
    payload = struct.pack("<IIBHHH", MAGIC, 1, 0, 24, 80, 0) + s("xterm") + s("/")
    payload += struct.pack("<H", 1) + struct.pack("<H", 1) + s("attach-session")
    return frame(1, payload)


def read_exit(sock, timeout=10):
    """The status and message of an EXIT frame, or why there was none."""
    sock.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return "timeout"
        except ConnectionResetError:
            return "reset"
        if not chunk:
            break
        data += chunk
    off = 0
    while off + 6 <= len(data):
        length, kind = struct.unpack_from("<IH", data, off)
        body = data[off + 6: off + 4 + length]
        if kind == 105:
            status, n = struct.unpack_from("<II", body, 0)
            return "EXIT %d %s" % (status, body[8:8 + n].decode(errors="replace"))
        off += 4 + length
    return "closed without EXIT (%d bytes)" % len(data)


def send(sock, data):
    """A server that refuses at once may close before we have written."""
    try:
        sock.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass


def connect(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    return sock


def main():
    path, mode = sys.argv[1], sys.argv[2]
    if mode == "version":
        sock = connect(path)
        send(sock, hello(int(sys.argv[3])))
        print(read_exit(sock))
    elif mode == "garbage":
        sock = connect(path)
        send(sock, os.urandom(3000))
        print(read_exit(sock))
    elif mode == "oversize":
        sock = connect(path)
        send(sock, struct.pack("<IH", 0x7FFFFFFF, 1) + b"x" * 100)
        print(read_exit(sock))
    elif mode == "mute":
        import time
        sock = connect(path)
        start = time.monotonic()
        send(sock, screen_hello())
        why = read_exit(sock, 120)
        print("let go after %.1f s: %s" % (time.monotonic() - start, why))
    elif mode == "silent":
        socks = []
        for _ in range(int(sys.argv[3])):
            socks.append(connect(path))
        print("open %d" % len(socks), flush=True)
        sys.stdin.read()
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
