#!/usr/bin/env python3
"""Generates hostile inputs for Scripts/bench memory: each small on disk and built to cost time or memory.

  generate-hostile.py OUTDIR

  members.xml.gz      13,000 empty gzip members, then a report (260 KB)
  tls-details.json.gz a TLS report with 1,000,000 failure details (about 3 MB gzipped)
  attributes.xml.gz   a report whose root element has 800,000 attributes (about 2 MB gzipped)
  overlap.zip         one deflated 256 MiB member listed 10,000 times in the central directory
  big-message.eml     a 200 MB e-mail: a report attachment and 200 MB of base64 padding
  big-zip-message.eml an e-mail whose zip attachment holds a report and 100 MB of random bytes
  one-source.xml      a report of 2,000,000 records from one source (for the report commands' memory)
"""
import base64
import gzip
import os
import struct
import sys
import zipfile
import zlib

REPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<feedback><report_metadata><org_name>Example</org_name><email>a@example.net</email><report_id>h-1</report_id>
<date_range><begin>1764547200</begin><end>1764633599</end></date_range></report_metadata>
<policy_published><domain>example.com</domain><p>none</p></policy_published>
<record><row><source_ip>192.0.2.1</source_ip><count>1</count><policy_evaluated><disposition>none</disposition>
<dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers>
<auth_results><spf><domain>example.com</domain><result>pass</result></spf></auth_results></record></feedback>
"""


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    empty = gzip.compress(b"", mtime=0)
    with open(os.path.join(out, "members.xml.gz"), "wb") as f:
        f.write(empty * 13000 + gzip.compress(REPORT, mtime=0))

    details = ",".join('{"result-type":"certificate-expired","sending-mta-ip":"192.0.2.%d","failed-session-count":1}'
                       % (i % 250) for i in range(1000000))
    tls = ('{"organization-name":"X","report-id":"huge","date-range":{"start-datetime":"2025-12-01T00:00:00Z",'
           '"end-datetime":"2025-12-01T23:59:59Z"},"policies":[{"policy":{"policy-type":"sts","policy-domain":'
           '"example.com"},"summary":{"total-successful-session-count":1,"total-failure-session-count":1000000},'
           '"failure-details":[' + details + ']}]}')
    with open(os.path.join(out, "tls-details.json.gz"), "wb") as f:
        f.write(gzip.compress(tls.encode(), mtime=0))

    attributes = "".join(' a%d="v"' % i for i in range(800000))
    with open(os.path.join(out, "attributes.xml.gz"), "wb") as f:
        f.write(gzip.compress(REPORT.replace(b"<feedback>", ("<feedback%s>" % attributes).encode()), mtime=0))

    # One member of 256 MiB of zeros, deflated, then its central directory entry repeated.
    path = os.path.join(out, "overlap.zip")
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"\0" * (1 << 20)
    data = b"".join(compressor.compress(chunk) for _ in range(256)) + compressor.flush()
    crc = 0
    for _ in range(256):
        crc = zlib.crc32(chunk, crc)
    name = b"bomb.xml"
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), 256 << 20, len(name), 0) + name
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), 256 << 20,
                          len(name), 0, 0, 0, 0, 0, 0) + name
    count = 10000
    with open(path, "wb") as f:
        f.write(local + data + central * count)
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central) * count,
                            len(local) + len(data), 0))

    with open(os.path.join(out, "big-message.eml"), "wb") as f:
        f.write(b"From: dmarc@example.net\r\nTo: rua@example.com\r\nSubject: Report\r\nMIME-Version: 1.0\r\n"
                b"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n"
                b"Content-Transfer-Encoding: base64\r\n\r\n")
        line = base64.b64encode(b"x" * 57) + b"\r\n"
        f.write(line * (200 * (1 << 20) // len(line)))
        f.write(b"--b\r\nContent-Type: application/gzip; name=\"r.xml.gz\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
        f.write(base64.encodebytes(gzip.compress(REPORT, mtime=0)).replace(b"\n", b"\r\n"))
        f.write(b"--b--\r\n")

    archive = os.path.join(out, "big.zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as z:
        z.writestr("report.xml", REPORT)
        z.writestr("padding.bin", os.urandom(100 * (1 << 20)))
    with open(os.path.join(out, "big-zip-message.eml"), "wb") as f, open(archive, "rb") as zipped:
        f.write(b"From: dmarc@example.net\r\nTo: rua@example.com\r\nSubject: Report\r\nMIME-Version: 1.0\r\n"
                b"Content-Type: application/zip; name=\"r.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
        f.write(base64.encodebytes(zipped.read()).replace(b"\n", b"\r\n"))
    os.remove(archive)

    with open(os.path.join(out, "one-source.xml"), "w") as f:
        f.write(REPORT.decode().split("<record>")[0])
        record = ('<record><row><source_ip>192.0.2.7</source_ip><count>%d</count><policy_evaluated>'
                  '<disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>'
                  '<identifiers><header_from>example.com</header_from></identifiers><auth_results><dkim>'
                  '<domain>d%d.example.com</domain><selector>s</selector><result>pass</result></dkim><spf>'
                  '<domain>example.com</domain><result>fail</result></spf></auth_results></record>')
        for i in range(2000000):
            f.write(record % (1 + i % 7, i % 5000))
        f.write("</feedback>\n")


if __name__ == "__main__":
    main()
