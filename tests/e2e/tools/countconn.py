#!/usr/bin/env python3
"""tests/e2e/tools/countconn.py: a loopback TCP port that takes each
connection, notes it and closes it; a host pointed at it fails every try and
each try is seen. Usage: countconn.py FILE SECONDS
Writes "PORT n" to FILE, then "conn" per connection; exits after SECONDS."""
import socket
import sys
import time

path, secs = sys.argv[1], float(sys.argv[2])
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
with open(path, "a", buffering=1) as out:
    out.write("PORT %d\n" % s.getsockname()[1])
    end = time.monotonic() + secs
    while time.monotonic() < end:
        s.settimeout(max(0.01, end - time.monotonic()))
        try:
            c, _ = s.accept()
        except socket.timeout:
            break
        out.write("conn\n")
        c.close()
