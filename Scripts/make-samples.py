#!/usr/bin/env python3
"""Builds the compressed files of SampleReports/ from the readable XML beside them.

The XML in SampleReports/source/ is what the big reporters send, written by hand with documentation
domains and addresses; this script wraps each the way its reporter delivers it (Google: zip, the others:
gzip) and writes the archive quirks (multi-member and nested gzip, raw zlib, trailing bytes, a zip of
several members with macOS metadata, a stored entry, a folder) and the broken archives in invalid/.
Run it from the repository root after editing a sample; the output is deterministic.
"""
import gzip
import io
import os
import zipfile
import zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "SampleReports")
SOURCE = os.path.join(ROOT, "source")
EPOCH = (2025, 12, 2, 0, 0, 0)


def read(name):
    with open(os.path.join(SOURCE, name), "rb") as f:
        return f.read()


def write(path, data):
    with open(os.path.join(ROOT, path), "wb") as f:
        f.write(data)


def gz(data):
    return gzip.compress(data, mtime=0)


def zipped(members):
    """members: list of (name, bytes, compress) or (name, None) for a directory entry."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, compress in members:
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.external_attr = (0o40755 << 16) | 0x10 if data is None else 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            archive.writestr(info, b"" if data is None else data)
    return buffer.getvalue()


def renamed(data, old_id, new_id):
    return data.replace(old_id.encode(), new_id.encode())


google = "google.com!example.com!1764547200!1764633599.xml"
outlook = "protection.outlook.com!example.com!1764547200!1764633600.xml"
yahoo = "yahoo.com!example.org!1764547200!1764633599.xml"
mailru = "mail.ru!example.net!1764547200!1764633600.xml"

os.makedirs(os.path.join(ROOT, "dmarc"), exist_ok=True)
write("dmarc/" + google.replace(".xml", ".zip"), zipped([(google, read(google), True)]))
write("dmarc/" + outlook + ".gz", gz(read(outlook)))
write("dmarc/" + yahoo + ".gz", gz(read(yahoo)))
write("dmarc/" + mailru + ".gz", gz(read(mailru)))

# Quirks of compression and archives, each a report of its own (distinct report ids).
multi = renamed(read(outlook), "b4f1a2c39e7d4c0f8a6b1d2e3f405162", "multi-member-1")
half = len(multi) // 2
write("quirks/multi-member.xml.gz", gz(multi[:half]) + gz(multi[half:]))
write("quirks/trailing-crlf.xml.gz", gz(renamed(read(yahoo), "1764640017.482913", "trailing-crlf-1")) + b"\r\n")
write("quirks/gzip-in-gzip.xml.gz.gz", gz(gz(renamed(read(mailru), "40184528381764547200", "double-gzip-1"))))
write("quirks/raw-zlib-stream.xml.z", zlib.compress(renamed(read(yahoo), "1764640017.482913", "zlib-1")))
write("quirks/gzip-named-as.zip", gz(renamed(read(mailru), "40184528381764547200", "misnamed-1")))
write("quirks/bundle-of-reports.zip", zipped([
    ("reports/", None, False),
    ("reports/a.xml", renamed(read(google), "16485291745736372111", "bundle-a"), True),
    ("reports/b.xml", renamed(read(outlook), "b4f1a2c39e7d4c0f8a6b1d2e3f405162", "bundle-b"), False),
    ("c.xml.gz", gz(renamed(read(yahoo), "1764640017.482913", "bundle-c")), False),
    ("__MACOSX/reports/._a.xml", b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ", False),
]))

# Broken archives.
report = gz(read(google))
write("invalid/truncated.xml.gz", report[: len(report) // 2])
corrupt = bytearray(report)
corrupt[-6] ^= 0xFF  # inside the CRC-32 trailer
write("invalid/bad-crc.xml.gz", bytes(corrupt))
archive = zipped([(google, read(google), True)])
write("invalid/truncated.zip", archive[: len(archive) - 30])
write("invalid/gzip-of-text.xml.gz", gz(b"unused"))
