#!/usr/bin/env bash
# Formats the Swift sources with swift-format (config: .swift-format), then lints them.
set -euo pipefail
cd "$(dirname "$0")/.."
swift format format --in-place --recursive Package.swift Sources Tests
swift format lint --recursive Sources Tests
