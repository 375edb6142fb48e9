#!/usr/bin/env python3
"""Measure the rate of one TCP transfer between namespaces.

    tcp_rate.py recv ADDR PORT READY  -- touch READY once listening, take one connection,
                                         read to EOF, print "<bytes> <seconds> <bits/s>"
                                         (timed from the first byte to the last)
    tcp_rate.py send ADDR PORT BYTES  -- connect (10 tries), send BYTES, close
"""
import socket
import sys
import time


def recv(addr, port, ready):
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(1)
    s.settimeout(60)
    open(ready, "w").close()
    c, _ = s.accept()
    c.settimeout(60)
    total, first = 0, None
    while True:
        d = c.recv(1 << 16)
        if not d:
            break
        if first is None:
            first = time.monotonic()
        total += len(d)
    dt = time.monotonic() - (first or time.monotonic())
    print(total, "%.3f" % dt, int(total * 8 / dt) if dt > 0 else 0)


def send(addr, port, n):
    for _ in range(10):
        try:
            c = socket.create_connection((addr, port), timeout=5)
            break
        except OSError:
            time.sleep(0.2)
    else:
        sys.exit("cannot connect")
    buf = b"x" * 65536
    while n > 0:
        k = c.send(buf[: min(n, len(buf))])
        n -= k
    c.shutdown(socket.SHUT_WR)
    c.recv(1)
    c.close()


if __name__ == "__main__":
    if sys.argv[1] == "recv":
        recv(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
