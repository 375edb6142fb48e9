#!/usr/bin/env python3
"""Hand-built IPv4/UDP frames through an AF_PACKET socket (what a container with NET_RAW
can do), and a UDP listener that logs what it receives.

    raw_frame.py send IFNAME DST_MAC SRC_IP DST_IP PORT PAYLOAD [DST_IP PORT PAYLOAD ...]
        -- one Ethernet frame per DST_IP PORT PAYLOAD, to DST_MAC from IFNAME's own MAC,
           sent in order from one CPU (so the kernel handles them in that order)
    raw_frame.py listen LOG ADDR PORT [ADDR PORT ...]
        -- binds each ADDR:PORT (UDP), prints "ready", appends "PAYLOAD from IP" to LOG per
           datagram.  Whenever it wakes it drains the sockets in the order given, so a
           datagram the kernel delivered to an earlier one before a later one's is logged
           first: "the control datagram is logged and the probe is not" means the probe
           never arrived.
"""
import os
import select
import socket
import struct
import sys


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(dst_mac, src_mac, src_ip, dst_ip, port, payload):
    udp = struct.pack("!HHHH", 40000, port, 8 + len(payload), 0) + payload  # no UDP checksum: allowed in IPv4
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0x4000, 64, socket.IPPROTO_UDP, 0,
                      socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return dst_mac + src_mac + b"\x08\x00" + hdr + udp


def send(ifname, dst_mac, src_ip, rest):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    src_mac = s.getsockname()[4]
    dst = bytes.fromhex(dst_mac.replace(":", ""))
    for i in range(0, len(rest), 3):
        s.send(frame(dst, src_mac, src_ip, rest[i], int(rest[i + 1]), rest[i + 2].encode()))
    return 0


def listen(log, addrs):
    socks = []
    for i in range(0, len(addrs), 2):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addrs[i], int(addrs[i + 1])))
        s.setblocking(False)
        socks.append(s)
    print("ready", flush=True)
    while True:
        select.select(socks, [], [])
        with open(log, "a") as f:
            for s in socks:
                while True:
                    try:
                        data, peer = s.recvfrom(2048)
                    except BlockingIOError:
                        break
                    f.write("%s from %s\n" % (data.decode(errors="replace"), peer[0]))


if __name__ == "__main__":
    if sys.argv[1] == "send":
        sys.exit(send(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]))
    sys.exit(listen(sys.argv[2], sys.argv[3:]))
