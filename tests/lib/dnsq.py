#!/usr/bin/python3
"""A small DNS client for the DNS tests (no dig here, busybox nslookup cannot force TCP
nor show the rcode, TC bit or transaction id): one query, printed as

    rcode NOERROR tc 0 id 4660 aa 1
    NAME TYPE TTL RDATA          (one line per answer record, sorted)

Usage: dnsq.py [-t] [-p PORT] [-i ID] [--edns SIZE] [--no-ttl] [--timeout S] SERVER NAME [TYPE]
  -t          TCP (two-byte length prefix) instead of UDP
  --no-ttl    print "-" for the TTL (to compare two servers' answers)
TYPE: A (default), AAAA, PTR, TXT, CNAME, MX, SOA, NS, ANY.  For PTR, NAME may be an address.
Exit 0 with an answer printed, 2 on timeout or a malformed reply (message on stderr)."""
import argparse
import ipaddress
import socket
import struct
import sys

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28, "OPT": 41, "ANY": 255}
TNAMES = {v: k for k, v in TYPES.items()}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def decode_name(msg, off):
    labels, jumped, end = [], False, off
    for _ in range(128):
        n = msg[off]
        if n & 0xC0 == 0xC0:
            if not jumped:
                end = off + 2
            off, jumped = ((n & 0x3F) << 8) | msg[off + 1], True
            continue
        if n == 0:
            if not jumped:
                end = off + 1
            return ".".join(labels) + ".", end
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n
    raise ValueError("name loop")


def rdata_text(msg, rtype, off, rdlen):
    rd = msg[off:off + rdlen]
    if rtype == 1:
        return str(ipaddress.IPv4Address(rd))
    if rtype == 28:
        return str(ipaddress.IPv6Address(rd))
    if rtype in (2, 5, 12):
        return decode_name(msg, off)[0]
    if rtype == 16:
        parts, i = [], 0
        while i < len(rd):
            parts.append('"%s"' % rd[i + 1:i + 1 + rd[i]].decode("ascii", "replace"))
            i += 1 + rd[i]
        return " ".join(parts)
    if rtype == 15:
        return "%d %s" % (struct.unpack("!H", rd[:2])[0], decode_name(msg, off + 2)[0])
    if rtype == 6:
        mname, o = decode_name(msg, off)
        rname, o = decode_name(msg, o)
        return "%s %s %s" % (mname, rname, " ".join(str(x) for x in struct.unpack("!5I", msg[o:o + 20])))
    return "\\# %d %s" % (rdlen, rd.hex())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-t", action="store_true")
    ap.add_argument("-p", type=int, default=53)
    ap.add_argument("-i", type=int, default=0x1234)
    ap.add_argument("--edns", type=int, default=0)
    ap.add_argument("--no-ttl", action="store_true")
    ap.add_argument("--timeout", type=float, default=3)
    ap.add_argument("server")
    ap.add_argument("name")
    ap.add_argument("type", nargs="?", default="A")
    a = ap.parse_args()
    qtype = TYPES[a.type.upper()]
    name = a.name
    if qtype == 12:
        try:
            name = ipaddress.ip_address(name).reverse_pointer
        except ValueError:
            pass
    q = struct.pack("!HHHHHH", a.i, 0x0100, 1, 0, 0, 1 if a.edns else 0) + encode_name(name) + struct.pack("!HH", qtype, 1)
    if a.edns:
        q += b"\0" + struct.pack("!HHIH", 41, a.edns, 0, 0)
    fam = socket.AF_INET6 if ":" in a.server else socket.AF_INET
    try:
        if a.t:
            s = socket.create_connection((a.server, a.p), timeout=a.timeout)
            s.sendall(struct.pack("!H", len(q)) + q)
            buf = b""
            while len(buf) < 2 or len(buf) < 2 + struct.unpack("!H", buf[:2])[0]:
                chunk = s.recv(65536)
                if not chunk:
                    raise ValueError("connection closed after %d bytes" % len(buf))
                buf += chunk
            msg = buf[2:2 + struct.unpack("!H", buf[:2])[0]]
        else:
            s = socket.socket(fam, socket.SOCK_DGRAM)
            s.settimeout(a.timeout)
            s.sendto(q, (a.server, a.p))
            msg = s.recv(65536)
        rid, flags, qd, an = struct.unpack("!HHHH", msg[:8])
        off = 12
        for _ in range(qd):
            off = decode_name(msg, off)[1] + 4
        rows = []
        for _ in range(an):
            rname, off = decode_name(msg, off)
            rtype, _, ttl, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
            off += 10
            rows.append("%s %s %s %s" % (rname.lower(), TNAMES.get(rtype, str(rtype)), "-" if a.no_ttl else ttl,
                                         rdata_text(msg, rtype, off, rdlen)))
            off += rdlen
    except (OSError, ValueError, IndexError, struct.error) as e:
        print("dnsq: %s %s %s: %s" % (a.server, name, a.type, e), file=sys.stderr)
        return 2
    print("rcode %s tc %d id %d aa %d" % (RCODES.get(flags & 0xF, str(flags & 0xF)), (flags >> 9) & 1, rid, (flags >> 10) & 1))
    for r in sorted(rows):
        print(r)
    return 0


sys.exit(main())
