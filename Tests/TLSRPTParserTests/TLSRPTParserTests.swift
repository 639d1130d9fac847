import ReportModel
import ReportTestSupport
import TLSRPTParser
import Testing

func parseTLS(_ sample: String) throws -> ParsedTLSReport {
    var bytes = try SampleReports.bytes(sample)
    if bytes.starts(with: [0x1F, 0x8B]) { bytes = try Compression.gunzip(bytes) }
    return try TLSRPTParser().parse(bytes)
}

@Suite struct TLSRPTFieldTests {
    let rfc = "tlsrpt/company-x.example!example.org!1764547200!1764633599!rfc8460.json"

    @Test func everyFieldOfRFC8460IsKept() throws {
        let parsed = try parseTLS(rfc)
        let report = parsed.report
        #expect(report.organizationName == "Company-X")
        #expect(report.contactInfo == "sts-reporting@company-x.example")
        #expect(report.reportID == "5065427c-23d3-47ca-b6e0-946ea0e8c4be")
        #expect(report.begin == 1_764_547_200)
        #expect(report.end == 1_764_633_599)
        let policy = try #require(report.policies.first)
        #expect(policy.type == .known(.sts))
        #expect(policy.strings == ["version: STSv1", "mode: testing", "mx: *.mail.example.org", "max_age: 86400"])
        #expect(policy.mode == "testing")
        #expect(policy.domain == "example.org")
        #expect(policy.mxHosts == ["*.mail.example.org"])
        #expect(policy.successfulSessions == 5326)
        #expect(policy.failedSessions == 303)
        #expect(policy.failures.count == 3)
        #expect(
            policy.failures[1]
                == TLSFailureDetail(
                    resultType: .known(.starttlsNotSupported), sendingMTAIP: "2001:db8:abcd:0013::1",
                    receivingMXHostname: "mx2.mail.example.org", receivingIP: "203.0.113.56", failedSessions: 200,
                    additionalInformation:
                        "https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported"))
        #expect(policy.failures[2].receivingMXHelo == "mx-backup.mail.example.org")
        #expect(policy.failures[2].failureReasonCode == "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED")
        #expect(parsed.diagnostics.map(\.code).contains(.enumAlias))  // mx-host string, failure-error-code
    }

    @Test func microsoftStyleDeviationsAreRead() throws {
        let parsed = try parseTLS(
            "tlsrpt/microsoft.com!example.com!1764547200!1764633599!133977312000000000.json.gz")
        let report = parsed.report
        #expect(report.begin == 1_764_547_200)  // no time zone: UTC
        #expect(report.policies[0].type == .known(.tlsa))
        #expect(report.policies[0].strings.count == 2)  // one JSON-encoded string, decoded
        #expect(report.policies[0].strings[0].hasPrefix("3 1 1 6007EE7D"))
        #expect(report.policies[1].mxHosts.isEmpty)
        #expect(report.policies[1].failures[0].sendingMTAIP == nil)
        #expect(report.successfulSessions == 940)
        #expect(report.failedSessions == 10)
        #expect(parsed.diagnostics.contains { $0.message.contains("has no time zone; read as UTC") })
        #expect(parsed.diagnostics.contains { $0.message.contains("one JSON-encoded list") })
    }

    @Test func mailRuCountsThatDoNotAddUpAreKeptAsReported() throws {
        let parsed = try parseTLS("tlsrpt/mail.ru!example.net!1764547200!1764633600.json")
        #expect(parsed.report.end == 1_764_633_600)
        #expect(parsed.report.failedSessions == 1)
        #expect(parsed.report.policies[0].failures.map(\.failedSessions) == [1, 1])
        #expect(parsed.diagnostics.contains { $0.message.contains("failure-details count 2 sessions, the summary 1") })
    }

    @Test func quirksAreRepairedWithDiagnosticsAndUnknownTypesKept() throws {
        let parsed = try parseTLS("tlsrpt/quirky-reporter.json")
        let report = parsed.report
        #expect(report.contactInfo == nil)
        #expect(report.begin == 1_764_547_200)
        #expect(report.end == 1_764_633_599)
        let sts = report.policies[0]
        #expect(sts.type == .known(.sts))
        #expect(sts.domain == "example.com")
        #expect(sts.strings == ["version: STSv1"])
        #expect(sts.mxHosts == ["mx1.example.com"])
        #expect(sts.successfulSessions == 420)
        #expect(sts.failures[0].resultType == .unknown("quantum-handshake-flux"))
        #expect(sts.failures[0].failedSessions == 5)
        #expect(sts.failures[1].resultType == .known(.certificateHostMismatch))
        #expect(sts.failures[1].receivingMXHostname == "mx1.example.com")
        #expect(report.policies[1].type == .known(.noPolicyFound))
        #expect(report.policies[1].domain == nil)
        #expect(report.policyDomains == ["example.com"])
        let codes = Set(parsed.diagnostics.map(\.code))
        #expect(codes.isSuperset(of: [.emptyElement, .enumCase, .lenientNumber, .unknownValue, .enumAlias]))
    }

    @Test(arguments: [
        ("not json", "not valid JSON"),
        ("{\"status\": \"ok\"}", "JSON is not an SMTP TLS report"),
        ("{\"policies\": []}", "report-id is missing"),
        (
            "{\"report-id\": \"x\", \"policies\": [], \"date-range\": {\"start-datetime\": \"yesterday\", \"end-datetime\": \"2025-12-01T00:00:00Z\"}}",
            "date-range/start-datetime \"yesterday\" is not an RFC 3339 date-time"
        ),
        (
            "{\"report-id\": \"x\", \"date-range\": {\"start-datetime\": \"2025-12-01T00:00:00Z\", \"end-datetime\": \"2025-12-01T00:00:00Z\"}}",
            "policies is missing or not a list"
        ),
    ])
    func unusableJSONIsRejectedWithTheReason(_ json: String, _ reason: String) {
        #expect {
            try TLSRPTParser().parse(Array(json.utf8))
        } throws: { error in
            (error as? TLSRPTParseError)?.message.hasPrefix(reason) == true
        }
    }
}

/// Counts and dates no real TLS report holds are refused with the reason.
@Suite struct TLSAbsurdValueTests {
    func report(
        successful: String, failed: String, detail: String = "1", end: String = "2025-12-01T23:59:59Z"
    )
        -> [UInt8]
    {
        Array(
            """
            {"organization-name":"X","report-id":"r1","date-range":{"start-datetime":"2025-12-01T00:00:00Z",
             "end-datetime":"\(end)"},"policies":[{"policy":{"policy-type":"sts","policy-domain":"example.org"},
             "summary":{"total-successful-session-count":\(successful),"total-failure-session-count":\(failed)},
             "failure-details":[{"result-type":"starttls-not-supported","failed-session-count":\(detail)}]}]}
            """.utf8)
    }

    func rejection(_ bytes: [UInt8]) -> String? {
        do {
            _ = try TLSRPTParser().parse(bytes)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func sessionCountsWhoseSumPasses2To63AreRejectedNotTrapped() {
        let huge = "9223372036854775807"
        #expect(
            rejection(report(successful: huge, failed: huge))?.contains("more sessions than any real report") == true)
        #expect(rejection(report(successful: "\"\(huge)0\"", failed: "1")) != nil)
        #expect(rejection(report(successful: "5", failed: "1", detail: huge)) != nil)
        #expect(rejection(report(successful: "10000000000", failed: "10000000000")) == nil)
    }

    @Test func aDatePastYear9999IsRejected() {
        #expect(rejection(report(successful: "1", failed: "1", end: "10000-01-01T00:00:00Z")) != nil)
    }
}

@Suite struct TLSNULTests {
    @Test func aNULInATextValueIsKeptVisibleSoDifferentIDsStayDifferent() throws {
        let json = """
            {"organization-name":"X","report-id":"abc\\u0000def","date-range":{"start-datetime":"2025-12-01T00:00:00Z",
             "end-datetime":"2025-12-01T23:59:59Z"},"policies":[]}
            """
        let parsed = try TLSRPTParser().parse(Array(json.utf8))
        #expect(parsed.report.reportID == "abc\u{FFFD}def")
        #expect(parsed.diagnostics.contains { $0.message.contains("NUL") })
    }
}
