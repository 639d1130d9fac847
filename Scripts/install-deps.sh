#!/usr/bin/env bash
# Installs the Debian packages Rua builds against, if any is missing: libxml2, zlib, SQLite and OpenSSL's
# libcrypto (SHA-256) headers, libpsl and libidn2 (organizational domains, with Debian's public suffix
# list), c-ares (reverse DNS), libcurl (SMTP submission and webhooks), dnsmasq (the DNS tests run a local server), python3-jsonschema (the tests
# validate every JSON output against Schemas/), LibreOffice Calc without its GUI (the tests check that
# spreadsheets read the CSV times as dates), Chromium (the tests lay the HTML digest out at 1280 and 400 px,
# light and dark, and check it fetches nothing), libpq and PostgreSQL 15 (the store's second engine; the tests
# run a throwaway cluster), and pkg-config. Uses sudo when not run as root.
set -euo pipefail

packages=(libxml2-dev zlib1g-dev libsqlite3-dev libpq-dev postgresql-15 libssl-dev libpsl-dev libidn2-dev publicsuffix libc-ares-dev libcurl4-openssl-dev dnsmasq-base pkg-config python3-jsonschema python3-cryptography libreoffice-calc-nogui chromium nginx-light curl postfix dovecot-core dovecot-imapd openssl)
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
if ((${#missing[@]})); then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    echo "Installing ${missing[*]}" >&2
    # Postfix asks how to configure itself: not at all (Scripts/test-services writes a loopback-only one).
    echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "No Swift toolchain on PATH: Rua needs Swift 6 (https://www.swift.org/install/linux/)." >&2
    exit 1
fi
