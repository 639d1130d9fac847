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

# E-mail: messages in the styles of the reporters, and the mail that is not a report.
import base64

os.makedirs(os.path.join(ROOT, "mail"), exist_ok=True)


def b64(data, width=76):
    text = base64.b64encode(data).decode()
    return "\r\n".join(text[i:i + width] for i in range(0, len(text), width))


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


google_zip = zipped([(google, renamed(read(google), "16485291745736372111", "mail-google-1"), True)])
write("mail/google-zip.eml", crlf(f"""Delivered-To: dmarc@example.com
Received: from mail-sor-f69.google.com (mail-sor-f69.google.com [209.85.220.69])
        by mx1.example.com (Postfix) with SMTPS id 4Qx1Zk0Tg3z9sWn
        for <dmarc@example.com>; Tue, 02 Dec 2025 03:12:44 +0000 (UTC)
Date: Mon, 01 Dec 2025 19:12:43 -0800
From: noreply-dmarc-support@google.com
To: dmarc@example.com
Message-ID: <16485291745736372111@google.com>
Subject: Report domain: example.com Submitter: google.com Report-ID: mail-google-1
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="000000000000a1b2c3d4e5f60718"

--000000000000a1b2c3d4e5f60718
Content-Type: text/plain; charset="UTF-8"; format=flowed; delsp=yes

This is an aggregate report from google.com.

--000000000000a1b2c3d4e5f60718
Content-Type: application/zip; 
	name="google.com!example.com!1764547200!1764633599.zip"
Content-Disposition: attachment; 
	filename="google.com!example.com!1764547200!1764633599.zip"
Content-Transfer-Encoding: base64

{b64(google_zip)}
--000000000000a1b2c3d4e5f60718--
"""))

outlook_gz = gz(renamed(read(outlook), "b4f1a2c39e7d4c0f8a6b1d2e3f405162", "mail-outlook-1"))
write("mail/microsoft-gzip.eml", crlf(f"""Received: from NAM12-DM6-obe.outbound.protection.outlook.com (40.107.243.70) by
 mx1.example.com; Tue, 2 Dec 2025 07:01:12 +0000
X-MS-Exchange-Organization-Network-Message-Id:
 9d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6
X-Microsoft-Antispam: BCL:0;ARA:13230040|376014|
366016|1800799024;
From: DMARC Aggregate Report <dmarcreport@microsoft.com>
To: <dmarc@example.com>
Subject: Report Domain: example.com Submitter: protection.outlook.com Report-Id: <mail-outlook-1>
Date: Tue, 2 Dec 2025 07:01:10 +0000
Message-ID: <b4f1a2c3-9e7d-4c0f-8a6b-1d2e3f405162@microsoft.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="_mixed_boundary_8dbaa09e8df_"

This is a multi-part message in MIME format.

--_mixed_boundary_8dbaa09e8df_
Content-Type: text/plain; charset=us-ascii

This is a DMARC aggregate report from Microsoft Corporation.

--_mixed_boundary_8dbaa09e8df_
Content-Type: application/gzip
Content-Disposition: attachment; filename="protection.outlook.com!example.com!1764547200!1764633600.xml.gz"
Content-Transfer-Encoding: base64

{b64(outlook_gz)}

--_mixed_boundary_8dbaa09e8df_--
"""))

yahoo_gz = gz(renamed(read(yahoo), "1764640017.482913", "mail-yahoo-1"))
write("mail/yahoo-gzip-rfc2231.eml", (f"""Return-Path: <dmarchelp@yahooinc.com>
From: Yahoo DMARC <dmarchelp@yahooinc.com>
To: dmarc@example.org
Subject: Report Domain: example.org Submitter: yahoo.com Report-ID: <mail-yahoo-1>
Date: Tue, 2 Dec 2025 01:04:21 +0000
Message-ID: <mail-yahoo-1@dmarc.yahoo.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="----=_Part_5553_1474581392.1764637461"

------=_Part_5553_1474581392.1764637461
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 7bit

This is an aggregate report from Yahoo.
------=_Part_5553_1474581392.1764637461
Content-Type: application/gzip
Content-Transfer-Encoding: base64
Content-Disposition: attachment;
 filename*0="yahoo.com!example.org!1764547200!";
 filename*1="1764633599.xml.gz"

{b64(yahoo_gz)}
------=_Part_5553_1474581392.1764637461--
""").encode())

mimecast_gz = gz(renamed(read(mailru), "40184528381764547200", "mail-mimecast-1")) + b"\r\n"
write("mail/mimecast-single-part.eml", crlf(f"""From: no-reply@eu-1.mimecastreport.com
Subject: Report domain: example.net Submitter: mimecast.org Report-ID:
 mail-mimecast-1
To: <dmarc@example.net>
Message-Id: <4973f467-4c66-4341-a50a-cf1a87033376@eu-1.mimecastreport.com>
Date: Tue, 2 Dec 2025 10:06:12 +1000
Content-Type: application/gzip
Content-Transfer-Encoding: base64
Content-Disposition: attachment;
 filename="mimecast.org!example.net!1764547200!1764633600!mail-mimecast-1.xml.gz"
MIME-Version: 1.0

{b64(mimecast_gz)}
"""))

ses_gz = gz(renamed(read(google), "16485291745736372111", "mail-ses-1"))
write("mail/amazonses-octet-stream.eml", crlf(f"""From: noreply-dmarc@amazonses.com
To: dmarc@example.com
Subject: Report Domain: example.com Submitter: amazonses.com Report-ID: mail-ses-1
Date: Tue, 2 Dec 2025 02:30:00 +0000
Message-ID: <0100018b2c3d4e5f-mail-ses-1@email.amazonses.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="----=_Part_0_1.1764642600000"

------=_Part_0_1.1764642600000
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 7bit

DMARC aggregate report
------=_Part_0_1.1764642600000
Content-Type: application/octet-stream;
 name*0=amazonses.com!example.com!1764547200!1764633599.xm;
 name*1=l.gz
Content-Transfer-Encoding: base64

{b64(ses_gz)}
------=_Part_0_1.1764642600000--
"""))

import quopri
fastmail_xml = renamed(read(yahoo), "1764640017.482913", "mail-fastmail-1").replace(b"<org_name>Yahoo</org_name>", "<org_name>Fastmail Pty Ltd – Ürümqi</org_name>".encode())
write("mail/fastmail-xml-quoted-printable.eml", crlf("""From: DMARC Aggregate Report <noreply-dmarc@fastmail.com>
To: dmarc@example.org
Subject: =?UTF-8?B?UmVwb3J0IERvbWFpbjogZXhhbXBsZS5vcmcgU3VibWl0dGVyOiBmYXN0bWFpbC5jb20=?=
 =?UTF-8?Q?_Report-ID:_mail-fastmail-1?=
Date: Tue, 02 Dec 2025 00:20:00 -0500
Message-Id: <mail-fastmail-1@fastmail.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="_----------=_17646372001234"

--_----------=_17646372001234
Content-Type: text/plain; charset="utf-8"

Aggregate report attached.
--_----------=_17646372001234
Content-Type: text/xml; charset="utf-8"
Content-Transfer-Encoding: quoted-printable
Content-Disposition: attachment;
 filename*=utf-8''fastmail.com%21example.org%211764547200%211764633599%21mail-fastmail-1.xml

""" + quopri.encodestring(fastmail_xml).decode() + """
--_----------=_17646372001234--
"""))

google_forwarded = read(google).replace(b"16485291745736372111", b"mail-forwarded-1")
inner = f"""Date: Mon, 01 Dec 2025 19:12:43 -0800
From: noreply-dmarc-support@google.com
To: dmarc@example.com
Message-ID: <mail-forwarded-1@google.com>
Subject: Report domain: example.com Submitter: google.com Report-ID: mail-forwarded-1
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="inner_boundary_42"

--inner_boundary_42
Content-Type: text/plain; charset="UTF-8"

This is an aggregate report from google.com.

--inner_boundary_42
Content-Type: application/zip; name="google.com!example.com!1764547200!1764633599.zip"
Content-Disposition: attachment; filename="google.com!example.com!1764547200!1764633599.zip"
Content-Transfer-Encoding: base64

{b64(zipped([(google, google_forwarded, True)]))}
--inner_boundary_42--
"""
write("mail/forwarded-by-a-person.eml", crlf(f"""From: Postmaster <postmaster@example.com>
To: dmarc@example.com
Subject: Fwd: Report domain: example.com Submitter: google.com Report-ID: mail-forwarded-1
Date: Tue, 2 Dec 2025 09:00:00 +0100
Message-ID: <fwd-1@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer_boundary_7"

--outer_boundary_7
Content-Type: text/plain; charset="UTF-8"

Here is yesterday's report, forwarded by hand.

--outer_boundary_7
Content-Type: message/rfc822

{inner}
--outer_boundary_7--
"""))

write("mail/failure-report-arf.eml", crlf("""From: dmarc-noreply@receiver.example
To: ruf@example.com
Subject: DMARC Failure report for example.com Mail-From: spoof@example.com IP: 203.0.113.77
Date: Tue, 2 Dec 2025 04:00:00 +0000
Message-ID: <ruf-1@receiver.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="arf_boundary"

--arf_boundary
Content-Type: text/plain; charset="US-ASCII"

This is an authentication failure report for an email message received from IP 203.0.113.77.

--arf_boundary
Content-Type: message/feedback-report

Feedback-Type: auth-failure
User-Agent: Example-Receiver/1.0
Version: 1
Auth-Failure: dmarc
Identity-Alignment: dkim, spf
Source-IP: 203.0.113.77
Reported-Domain: example.com

--arf_boundary
Content-Type: text/rfc822-headers

From: Example Bank <alerts@example.com>
To: victim@example.net
Subject: Your account

--arf_boundary--
"""))

write("mail/human-reply.eml", crlf("""From: =?UTF-8?Q?Ren=C3=A9_M=C3=BCller?= <rene@example.net>
To: dmarc@example.com
Subject: =?UTF-8?B?UmU6IHdoeSBkbyB5b3Ugc2VuZCBtZSB0aGVzZSByZXBvcnRzPw==?=
Date: Tue, 2 Dec 2025 11:11:11 +0100
Message-ID: <reply-1@example.net>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

Hello,

<p>I keep receiving messages at this address. Please stop.</p>

Ren=C3=A9
"""))

tls_gz = gz(open(os.path.join(ROOT, "tlsrpt", "google.com!example.com!1764547200!1764633599!001.json"), "rb").read())
write("mail/tlsrpt-google.eml", crlf(f"""From: noreply-smtp-tls-reporting@google.com
To: tlsrpt@example.com
Subject: Report Domain: example.com Submitter: google.com Report-ID: <2025.12.01T00.00.00Z+example.com@google.com>
Date: Tue, 02 Dec 2025 00:59:59 -0800
Message-ID: <000000000000f1e2d3c4b5a69788@google.com>
TLS-Report-Domain: example.com
TLS-Report-Submitter: google.com
MIME-Version: 1.0
Content-Type: multipart/report; boundary="00000000000013b3e8059ff0b6ef"; report-type=tlsrpt

--00000000000013b3e8059ff0b6ef
Content-Type: text/plain; charset="UTF-8"

This is an aggregate TLS report from google.com

--00000000000013b3e8059ff0b6ef
Content-Type: application/tlsrpt+gzip; 
	name="google.com!example.com!1764547200!1764633599!001.json.gz"
Content-Disposition: attachment; 
	filename="google.com!example.com!1764547200!1764633599!001.json.gz"
Content-Transfer-Encoding: base64

{b64(tls_gz)}
--00000000000013b3e8059ff0b6ef--
"""))


def mbox_entry(sender, data):
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    escaped = []
    for line in lines:
        stripped = line.lstrip(b">")
        escaped.append(b">" + line if stripped.startswith(b"From ") else line)
    return b"From " + sender + b" Tue Dec  2 09:00:00 2025\n" + b"\n".join(escaped).rstrip(b"\n") + b"\n\n"


letter = crlf("""From: Postmaster <postmaster@example.com>
To: dmarc@example.com
Subject: notes
Date: Tue, 2 Dec 2025 12:00:00 +0100
Message-ID: <notes-1@example.com>

From the top: reports now arrive in this mailbox.
>From here on, they are imported every night.
""")
mbox = b"".join([
    mbox_entry(b"noreply-dmarc-support@google.com", renamed(open(os.path.join(ROOT, "mail/google-zip.eml"), "rb").read(), "x", "x")),
    mbox_entry(b"dmarchelp@yahooinc.com", open(os.path.join(ROOT, "mail/yahoo-gzip-rfc2231.eml"), "rb").read()),
    mbox_entry(b"postmaster@example.com", letter),
])
write("mail/reports.mbox", mbox)

# TLS-RPT: reports in the styles of the reporters, with their deviations from RFC 8460.
import json

os.makedirs(os.path.join(ROOT, "tlsrpt"), exist_ok=True)
microsoft_tls = {
    "organization-name": "Microsoft Corporation",
    "date-range": {"start-datetime": "2025-12-01T00:00:00", "end-datetime": "2025-12-01T23:59:59"},
    "contact-info": "tlsrpt-noreply@microsoft.com",
    "report-id": "133977312000000000+example.com",
    "policies": [
        {"policy": {"policy-type": "tlsa",
                    "policy-string": ["[\"3 1 1 6007EE7D1E6E4A2B0F2C9F5A0C1D2E3F405162738495A6B7C8D9E0F1A2B3C4D5\",\"3 1 1 837C77A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D\"]"],
                    "policy-domain": "example.com"},
         "summary": {"total-successful-session-count": 940, "total-failure-session-count": 6},
         "failure-details": [{"result-type": "tlsa-invalid", "sending-mta-ip": "2001:db8:7::25",
                              "receiving-mx-hostname": "mx2.example.com", "receiving-ip": "192.0.2.26",
                              "failed-session-count": 6}]},
        {"policy": {"policy-type": "sts", "policy-domain": "example.com"},
         "summary": {"total-successful-session-count": 0, "total-failure-session-count": 4},
         "failure-details": [{"result-type": "sts-policy-fetch-error", "failed-session-count": 4,
                              "failure-reason-code": "HTTP 404 fetching https://mta-sts.example.com/.well-known/mta-sts.txt"}]},
    ],
}
write("tlsrpt/microsoft.com!example.com!1764547200!1764633599!133977312000000000.json.gz",
      gz(json.dumps(microsoft_tls, indent=4).encode()))

mailru_tls = {
    "contact-info": "tls_support@corp.mail.ru",
    "date-range": {"end-datetime": "2025-12-02T00:00:00Z", "start-datetime": "2025-12-01T00:00:00Z"},
    "organization-name": "Mail.ru",
    "policies": [{
        "failure-details": [
            {"failed-session-count": 1, "failure-reason-code": "bad https response code: 404",
             "result-type": "sts-policy-fetch-error"},
            {"failed-session-count": 1, "failure-reason-code": "bad https response code: 500",
             "result-type": "sts-policy-fetch-error"},
        ],
        "policy": {"policy-domain": "example.net", "policy-type": "sts"},
        "summary": {"total-failure-session-count": 1, "total-successful-session-count": 37},
    }],
    "report-id": "b28254de-7b2e-be36-bb5c-4c3b92da8b25@mail.ru",
}
write("tlsrpt/mail.ru!example.net!1764547200!1764633600.json", json.dumps(mailru_tls, indent=3).encode())

rfc_tls = {
    "organization-name": "Company-X",
    "date-range": {"start-datetime": "2025-12-01T00:00:00Z", "end-datetime": "2025-12-01T23:59:59Z"},
    "contact-info": "sts-reporting@company-x.example",
    "report-id": "5065427c-23d3-47ca-b6e0-946ea0e8c4be",
    "policies": [{
        "policy": {"policy-type": "sts",
                   "policy-string": ["version: STSv1", "mode: testing", "mx: *.mail.example.org", "max_age: 86400"],
                   "policy-domain": "example.org", "mx-host": "*.mail.example.org"},
        "summary": {"total-successful-session-count": 5326, "total-failure-session-count": 303},
        "failure-details": [
            {"result-type": "certificate-expired", "sending-mta-ip": "2001:db8:abcd:0012::1",
             "receiving-mx-hostname": "mx1.mail.example.org", "failed-session-count": 100},
            {"result-type": "starttls-not-supported", "sending-mta-ip": "2001:db8:abcd:0013::1",
             "receiving-mx-hostname": "mx2.mail.example.org", "receiving-ip": "203.0.113.56",
             "failed-session-count": 200,
             "additional-information": "https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported"},
            {"result-type": "validation-failure", "sending-mta-ip": "198.51.100.62", "receiving-ip": "198.51.100.48",
             "failed-session-count": 3, "failure-error-code": "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED",
             "receiving-mx-hostname": "mx-backup.mail.example.org", "receiving-mx-helo": "mx-backup.mail.example.org"},
        ],
    }],
}
write("tlsrpt/company-x.example!example.org!1764547200!1764633599!rfc8460.json", json.dumps(rfc_tls, indent=2).encode())

quirky_tls = {
    "organization-name": "Quirky Reporter",
    "date-range": {"start-datetime": "2025-12-01T00:00:00.000+00:00", "end-datetime": "2025-12-01T23:59:59.999Z"},
    "contact-info": None,
    "report-id": "quirky-2025-12-01",
    "policies": [
        {"policy": {"policy-type": "STS", "policy-string": "version: STSv1", "policy-domain": "Example.COM.",
                    "mx-host": ["mx: mx1.example.com"]},
         "summary": {"total-successful-session-count": "420", "total-failure-session-count": "7"},
         "failure-details": [
             {"result-type": "quantum-handshake-flux", "sending-mta-ip": "192.0.2.1", "failed-session-count": "5"},
             {"result-type": "Certificate-Host-Mismatch", "receiving-mx-hostname": "MX1.Example.COM.",
              "failed-session-count": 2},
         ]},
        {"policy": {"policy-type": "no-policy-found"},
         "summary": {"total-successful-session-count": 12, "total-failure-session-count": 0}},
    ],
}
write("tlsrpt/quirky-reporter.json", json.dumps(quirky_tls).encode())
write("invalid/not-a-tls-report.json", b'{"status": "ok", "items": [1, 2, 3]}\n')
