#!/usr/bin/env python3
"""UDP echo that answers each datagram with the source address it saw.

    udp_echo.py serve ADDR PORT     -- prints "ready" once bound, serves until killed
    udp_echo.py ask ADDR PORT       -- sends one datagram, prints the answer (3 tries, 1 s each)
"""
import socket
import sys


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def serve(addr, port):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind((addr, port))
    print("ready", flush=True)
    while True:
        data, peer = s.recvfrom(2048)
        s.sendto(peer[0].encode(), peer)


def ask(addr, port):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.settimeout(1.0)
    for _ in range(3):
        s.sendto(b"who am i", (addr, port))
        try:
            data, _ = s.recvfrom(2048)
            print(data.decode())
            return 0
        except socket.timeout:
            continue
    return 1


if __name__ == "__main__":
    cmd, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sys.exit(serve(addr, port) if cmd == "serve" else ask(addr, port))
