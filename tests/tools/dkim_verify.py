#!/usr/bin/python3
# dkim_verify.py - an independent DKIM verifier (python3-dkim) of a
# delivered message, its keys from the tests' own DNS server: prints one
# "DOMAIN:pass" or "DOMAIN:fail" per DKIM-Signature, in order, joined
# with commas ("-" when there is none), as egress-milter's dkim= field.
# Usage: dkim_verify.py DNS-PORT FILE
#        dkim_verify.py sign KEY-FILE CANON SELECTOR DOMAIN < IN > OUT
#        (signs IN, CANON as simple/simple or relaxed/relaxed, every
#        header field of IN signed; OUT has CRLF line ends)
import re
import sys

import dkim
import dns.message
import dns.query
import dns.rdatatype


def txt(port):
    def lookup(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode()
        query = dns.message.make_query(name, dns.rdatatype.TXT)
        reply = dns.query.udp(query, "127.0.0.1", timeout=timeout,
                              port=port)
        for rrset in reply.answer:
            if rrset.rdtype == dns.rdatatype.TXT:
                return b"".join(list(rrset.items)[0].strings)
        return None
    return lookup


def sign():
    key = open(sys.argv[2], "rb").read()
    key = key[key.index(b"-----BEGIN"):]
    header, body = sys.argv[3].split("/")
    data = re.sub(rb"(?<!\r)\n", b"\r\n", sys.stdin.buffer.read())
    names = [k for k, v in dkim.DKIM(data).headers]
    sig = dkim.sign(data, sys.argv[4].encode(), sys.argv[5].encode(), key,
                    canonicalize=(header.encode(), body.encode()),
                    include_headers=names)
    sys.stdout.buffer.write(sig + data)


def main():
    if sys.argv[1] == "sign":
        sign()
        return
    port = int(sys.argv[1])
    with open(sys.argv[2], "rb") as f:
        data = f.read()
    data = re.sub(rb"(?<!\r)\n", b"\r\n", data)
    d = dkim.DKIM(data, minkey=1024)
    sigs = [v for k, v in d.headers if k.lower() == b"dkim-signature"]
    out = []
    for i, sig in enumerate(sigs):
        ok = False
        try:
            ok = d.verify(idx=i, dnsfunc=txt(port))
        except Exception:
            ok = False
        m = re.search(rb"(?:^|;)\s*d\s*=\s*([^;\s]+)", sig)
        domain = m.group(1).decode().lower() if m else "?"
        out.append("%s:%s" % (domain, "pass" if ok else "fail"))
    print(",".join(out) if out else "-")


main()
