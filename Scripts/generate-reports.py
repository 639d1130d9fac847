#!/usr/bin/env python3
"""Generates DMARC aggregate reports for benchmarks and scale tests.

  generate-reports.py big OUT.xml RECORDS        one report with RECORDS records
  generate-reports.py many OUTDIR COUNT RECORDS  COUNT small .xml.gz reports of RECORDS records each
  generate-reports.py mbox OUT.mbox COUNT RECORDS  an mbox of COUNT report messages (base64 gzip attachments)
  generate-reports.py tls OUTDIR COUNT              COUNT TLS reports (.json.gz) in the styles of Google and Microsoft
  generate-reports.py sameday OUTDIR COUNT START   COUNT small .xml.gz reports (ids START on) of one reporter for
                                                    one domain and day: the shape that found a query plan scanning
                                                    every report of a reporter and day
  generate-reports.py history OUTDIR DOMAINS DAYS RECORDS
                                                    RECORDS records in daily reports of two reporters for DOMAINS
                                                    domains over the DAYS days before 2025-12-01 (one folder a day)

Addresses come from the documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32)
and domains from example.com/.net/.org, so the data is realistic in shape and safe to share.
"""
import gzip
import os
import random
import sys

DAY = 86400
BASE = 1_764_547_200  # 2025-12-01T00:00:00Z

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<feedback>
  <version>1.0</version>
  <report_metadata>
    <org_name>{org}</org_name>
    <email>noreply-dmarc-support@{org}</email>
    <extra_contact_info>https://{org}/dmarc</extra_contact_info>
    <report_id>{rid}</report_id>
    <date_range>
      <begin>{begin}</begin>
      <end>{end}</end>
    </date_range>
  </report_metadata>
  <policy_published>
    <domain>{domain}</domain>
    <adkim>r</adkim>
    <aspf>r</aspf>
    <p>none</p>
    <sp>none</sp>
    <pct>100</pct>
    <np>none</np>
  </policy_published>
"""

RECORD = """  <record>
<row>
<source_ip>{ip}</source_ip>
<count>{count}</count>
<policy_evaluated>
<disposition>none</disposition>
<dkim>{dkim}</dkim>
<spf>{spf}</spf>
</policy_evaluated>
</row>
<identifiers>
<header_from>{domain}</header_from>
</identifiers>
<auth_results>
<dkim>
<domain>{domain}</domain>
<selector>s{sel}</selector>
<result>{dkim}</result>
</dkim>
<spf>
<domain>{domain}</domain>
<result>{spf}</result>
</spf>
</auth_results>
</record>
"""

NETS = ["192.0.2.", "198.51.100.", "203.0.113."]


def ip(rng):
    if rng.random() < 0.1:
        return "2001:db8::%x:%x" % (rng.randrange(65536), rng.randrange(65536))
    return NETS[rng.randrange(3)] + str(rng.randrange(1, 255))


def report(rng, rid, records, domain, org, begin):
    parts = [HEADER.format(org=org, rid=rid, begin=begin, end=begin + DAY - 1, domain=domain)]
    for _ in range(records):
        ok = rng.random() < 0.9
        parts.append(RECORD.format(ip=ip(rng), count=rng.randrange(1, 20), dkim="pass" if ok else "fail",
                                   spf="pass" if ok or rng.random() < 0.5 else "fail", domain=domain,
                                   sel=rng.randrange(3)))
    parts.append("</feedback>\n")
    return "".join(parts)


def history(rng, outdir, domains, days, records):
    """Each domain has its own 30 regular sources that mostly pass; a few records a day come from
    addresses never seen before, failing: the shape of real traffic with some spoofing."""
    per_report = max(1, records // (domains * days * 2))
    pools = [["%s%d" % (NETS[(d + k) % 3], (d * 7 + k * 13) % 254 + 1) if k % 5 else
              "2001:db8:%x::%x" % (d, k) for k in range(30)] for d in range(domains)]
    for day in range(days):
        begin = BASE - (days - day) * DAY
        folder = os.path.join(outdir, "day-%03d" % day)
        os.makedirs(folder, exist_ok=True)
        for d in range(domains):
            domain = "d%03d.example" % d
            for org in ("google.com", "Outlook.com"):
                parts = [HEADER.format(org=org, rid="%s-%d-%d" % (org, d, day), begin=begin, end=begin + DAY - 1,
                                       domain=domain)]
                for _ in range(per_report):
                    if rng.random() < 0.03:
                        source, ok = ip(rng), False
                    else:
                        source, ok = pools[d][rng.randrange(30)], rng.random() < 0.98
                    parts.append(RECORD.format(ip=source, count=rng.randrange(1, 20), dkim="pass" if ok else "fail",
                                               spf="pass" if ok else "fail", domain=domain, sel=rng.randrange(3)))
                parts.append("</feedback>\n")
                name = "%s!%s!%d!%d.xml.gz" % (org.lower(), domain, begin, begin + DAY - 1)
                with open(os.path.join(folder, name), "wb") as f:
                    f.write(gzip.compress("".join(parts).encode(), compresslevel=1, mtime=0))


def main():
    rng = random.Random(42)
    mode = sys.argv[1]
    if mode == "big":
        out, records = sys.argv[2], int(sys.argv[3])
        with open(out, "w") as f:
            f.write(HEADER.format(org="google.com", rid="big-1", begin=BASE, end=BASE + DAY - 1, domain="example.com"))
            for _ in range(records):
                ok = rng.random() < 0.9
                f.write(RECORD.format(ip=ip(rng), count=rng.randrange(1, 20), dkim="pass" if ok else "fail",
                                      spf="pass" if ok else "fail", domain="example.com", sel=rng.randrange(3)))
            f.write("</feedback>\n")
    elif mode == "many":
        outdir, count, records = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        os.makedirs(outdir, exist_ok=True)
        domains = ["example.com", "example.net", "example.org"]
        orgs = ["google.com", "Outlook.com", "Yahoo", "Mail.Ru"]
        for n in range(count):
            domain, org = domains[n % 3], orgs[n % 4]
            begin = BASE + (n // 12) * DAY
            xml = report(rng, "r-%d" % n, records, domain, org, begin)
            name = "%s!%s!%d!%d!%d.xml.gz" % (org.lower(), domain, begin, begin + DAY - 1, n)
            with open(os.path.join(outdir, name), "wb") as f:
                f.write(gzip.compress(xml.encode(), mtime=0))
    elif mode == "mbox":
        import base64
        out, count, records = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        domains = ["example.com", "example.net", "example.org"]
        with open(out, "wb") as f:
            for n in range(count):
                domain = domains[n % 3]
                begin = BASE + (n // 12) * DAY
                xml = report(rng, "m-%d" % n, records, domain, "google.com", begin)
                name = "google.com!%s!%d!%d!%d.xml.gz" % (domain, begin, begin + DAY - 1, n)
                attachment = base64.encodebytes(gzip.compress(xml.encode(), mtime=0)).decode()
                message = (
                    "From noreply-dmarc-support@google.com Tue Dec  2 03:12:44 2025\n"
                    "From: noreply-dmarc-support@google.com\nTo: dmarc@%s\n"
                    "Subject: Report domain: %s Submitter: google.com Report-ID: m-%d\n"
                    "Date: Tue, 02 Dec 2025 03:12:44 +0000\nMessage-ID: <m-%d@google.com>\nMIME-Version: 1.0\n"
                    "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n"
                    "--b%d\nContent-Type: text/plain\n\nThis is an aggregate report from google.com.\n\n"
                    "--b%d\nContent-Type: application/gzip; name=\"%s\"\n"
                    "Content-Disposition: attachment; filename=\"%s\"\nContent-Transfer-Encoding: base64\n\n"
                    "%s\n--b%d--\n\n"
                ) % (domain, domain, n, n, n, n, n, name, name, attachment, n)
                f.write(message.encode())
    elif mode == "tls":
        import json
        outdir, count = sys.argv[2], int(sys.argv[3])
        os.makedirs(outdir, exist_ok=True)
        domains = ["example.com", "example.net", "example.org"]
        for n in range(count):
            domain = domains[n % 3]
            begin = BASE + (n // 6) * DAY
            day = "2025-12-%02d" % (1 + (n // 6) % 28)
            failures = [] if rng.random() < 0.6 else [{
                "result-type": rng.choice(["certificate-expired", "starttls-not-supported", "validation-failure"]),
                "sending-mta-ip": ip(rng), "receiving-mx-hostname": "mx%d.%s" % (rng.randrange(1, 3), domain),
                "failed-session-count": rng.randrange(1, 50)}]
            tls_report = {
                "organization-name": "Google Inc." if n % 2 else "Microsoft Corporation",
                "date-range": {"start-datetime": day + "T00:00:00Z", "end-datetime": day + "T23:59:59Z"},
                "contact-info": "smtp-tls-reporting@google.com",
                "report-id": "%sT00:00:00Z_%s_%d" % (day, domain, n),
                "policies": [{
                    "policy": {"policy-type": "sts",
                               "policy-string": ["version: STSv1", "mode: enforce", "mx: mx1.%s" % domain,
                                                 "max_age: 86400"],
                               "policy-domain": domain, "mx-host": ["mx1.%s" % domain]},
                    "summary": {"total-successful-session-count": rng.randrange(100, 5000),
                                "total-failure-session-count": sum(f["failed-session-count"] for f in failures)},
                    "failure-details": failures}],
            }
            name = "google.com!%s!%d!%d!%03d.json.gz" % (domain, begin, begin + DAY - 1, n)
            with open(os.path.join(outdir, name), "wb") as f:
                f.write(gzip.compress(json.dumps(tls_report).encode(), mtime=0))
    elif mode == "sameday":
        outdir, count, start = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        os.makedirs(outdir, exist_ok=True)
        for n in range(start, start + count):
            xml = report(rng, "same-%d" % n, 2, "example.com", "google.com", BASE)
            name = "google.com!example.com!%d!%d!%d.xml.gz" % (BASE, BASE + DAY - 1, n)
            with open(os.path.join(outdir, name), "wb") as f:
                f.write(gzip.compress(xml.encode(), compresslevel=1, mtime=0))
    elif mode == "history":
        history(rng, sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
