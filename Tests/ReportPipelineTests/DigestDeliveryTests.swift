import Foundation
import ReportTestSupport
import Testing

/// `rua digest --mail-to` through a real Postfix (sendmail and SMTP submission with STARTTLS, TLS and
/// AUTH) into a Maildir, and `--webhook` to a local HTTPS server.
@Suite(.serialized) struct DigestDeliveryTests {
    static func digest(_ extra: [String], db: String) throws -> (status: Int32, stdout: String, stderr: String) {
        try RuaExecutable.run(["digest", "--db", db] + extra, environment: AnalysisCommandTests.now)
    }

    static func marker() -> String { "rua-test-" + UUID().uuidString.prefix(8).lowercased() }

    @Test(.enabled(if: TestServices.running, TestServices.skipReason))
    func theDigestArrivesThroughSendmailAsTextAndHTML() throws {
        let services = try #require(TestServices.current)
        let temp = try TemporaryDirectory()
        let db = try AnalysisCommandTests.sampleDatabase(temp)
        let subject = Self.marker()
        let sent = try Self.digest(
            [
                "--mail-to", services.address, "--mail-from", "DMARC Digest <digest@example.com>", "--subject", subject,
                "--sendmail", services.sendmail,
            ], db: db)
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(sent.stdout.isEmpty, "a delivered digest prints nothing")
        let message = try #require(services.delivered(containing: "Subject: \(subject)"), "not delivered")
        #expect(message.contains("From: DMARC Digest <digest@example.com>"))
        #expect(message.contains("Content-Type: multipart/alternative;"))
        #expect(message.contains("Content-Type: text/plain; charset=utf-8"))
        #expect(message.contains("Content-Type: text/html; charset=utf-8"))
        #expect(message.contains("Date: Wed, 03 Dec 2025 10:00:00 +0000"))
    }

    @Test(.enabled(if: TestServices.running, TestServices.skipReason))
    func theDigestArrivesThroughSubmissionWithStartTLSAndWithTLS() throws {
        let services = try #require(TestServices.current)
        let temp = try TemporaryDirectory()
        let db = try AnalysisCommandTests.sampleDatabase(temp)
        for url in [services.smtpStarttls, services.smtps] {
            let subject = Self.marker()
            let sent = try Self.digest(
                [
                    "--mail-to", services.address, "--subject", subject, "--smtp", url, "--smtp-user", services.user,
                    "--smtp-password-file", services.passwordFile, "--ca-file", services.caFile,
                ], db: db)
            #expect(sent.status == 0, "\(url): \(sent.stderr)")
            let message = services.delivered(containing: "Subject: \(subject)")
            #expect(message != nil, "\(url): not delivered")
            // Postfix notes an authenticated, encrypted submission as ESMTPSA.
            #expect(message?.contains("with ESMTPSA") == true, "\(url)")
        }
        // The password may come from the environment too.
        let subject = Self.marker()
        let password = try String(contentsOfFile: services.passwordFile, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let fromEnvironment = try RuaExecutable.run(
            [
                "digest", "--db", db, "--mail-to", services.address, "--subject", subject, "--smtp", services.smtps,
                "--smtp-user", services.user, "--ca-file", services.caFile,
            ],
            environment: AnalysisCommandTests.now.merging(["RUA_SMTP_PASSWORD": password]) { $1 })
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
        #expect(services.delivered(containing: "Subject: \(subject)") != nil)
    }

    @Test(.enabled(if: TestServices.running, TestServices.skipReason))
    func aWrongPasswordAnUntrustedCertificateAndNoServerEachSaySoWithTheirOwnStatus() throws {
        let services = try #require(TestServices.current)
        let temp = try TemporaryDirectory()
        let db = try AnalysisCommandTests.sampleDatabase(temp)
        let wrong = try temp.write("wrong-password", "not-the-password\n")
        let login = ["--mail-to", services.address, "--smtp-user", services.user]
        let refused = try Self.digest(
            login + ["--smtp", services.smtpStarttls, "--smtp-password-file", wrong, "--ca-file", services.caFile],
            db: db)
        #expect(refused.status == 77)
        #expect(
            refused.stderr.contains("\(services.smtpStarttls): the server refused the login for \(services.user) (535)")
        )
        // Without the test CA the certificate is not trusted: nothing is sent, the host is named.
        let untrusted = try Self.digest(
            login + ["--smtp", services.smtps, "--smtp-password-file", services.passwordFile], db: db)
        #expect(untrusted.status == 69)
        #expect(
            untrusted.stderr.contains("\(services.smtps): TLS failed, the server's certificate could not be verified"))
        let closed = try Self.digest(
            login + ["--smtp", "smtp://127.0.0.1:9", "--smtp-password-file", services.passwordFile], db: db)
        #expect(closed.status == 69)
        #expect(closed.stderr.contains("smtp://127.0.0.1:9: unreachable"))
        // A password is never offered over a connection that may stay unencrypted.
        let plaintext = try Self.digest(
            login + [
                "--smtp", services.smtpStarttls, "--smtp-password-file", services.passwordFile, "--allow-plaintext",
            ],
            db: db)
        #expect(plaintext.status == 64)
    }

    @Test func deliveryOptionsAreCheckedBeforeAnythingRuns() throws {
        let temp = try TemporaryDirectory()
        let db = try AnalysisCommandTests.sampleDatabase(temp)
        for (options, message) in [
            (["--mail-to", "not an address"], "is not an e-mail address"),
            (["--smtp", "smtp://127.0.0.1:25"], "need --mail-to"),
            (["--mail-to", "a@example.com", "--smtp-password-file", "/etc/hostname"], "needs --smtp-user"),
            (["--mail-to", "a@example.com", "--smtp", "http://x"], "use smtp://HOST"),
            (["--webhook", "http://127.0.0.1:9/hook"], "use an https:// URL"),
        ] {
            let result = try Self.digest(options, db: db)
            #expect(result.status == 64, "\(options)")
            #expect(result.stderr.contains(message), "\(options): \(result.stderr)")
        }
        let empty = try temp.write("empty-password", "\n")
        let blank = try Self.digest(
            [
                "--mail-to", "a@example.com", "--smtp", "smtps://127.0.0.1:9", "--smtp-user", "u",
                "--smtp-password-file", empty,
            ],
            db: db)
        #expect(blank.status == 64)
        #expect(blank.stderr.contains("--smtp-password-file \(empty): the first line is empty"))
        let sendmail = try Self.digest(["--mail-to", "a@example.com", "--sendmail", "/nonexistent/sendmail"], db: db)
        #expect(sendmail.status == 69)
        #expect(sendmail.stderr.contains("/nonexistent/sendmail: no sendmail here"))
    }

    @Test(.enabled(if: HTTPSTestServer.canRun, "python3 and openssl are needed for the local HTTPS server"))
    func theWebhookGetsAChatTextAndTheWholeJSONDigest() throws {
        let temp = try TemporaryDirectory()
        let db = try AnalysisCommandTests.sampleDatabase(temp)
        let server = try HTTPSTestServer()
        let url = "https://localhost:\(server.port)/hooks/secret-token"
        let posted = try Self.digest(["--webhook", url, "--ca-file", server.caFile], db: db)
        #expect(posted.status == 0, "\(posted.stderr)")
        let request = try #require(server.requests.first)
        #expect(request.path == "/hooks/secret-token")
        #expect(request.contentType.hasPrefix("application/json"))
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
        let text = try #require(body["text"] as? String)
        #expect(text.hasPrefix("DMARC digest 2025-11-26 – 2025-12-02 (UTC): "))
        let digest = try #require(body["digest"] as? [String: Any])
        #expect(digest["command"] as? String == "digest")
        #expect((digest["rows"] as? [Any])?.isEmpty == false)
        #expect(digest["advice"] != nil)
        // Without the CA the certificate is not trusted; the secret path is not printed.
        let untrusted = try Self.digest(["--webhook", url], db: db)
        #expect(untrusted.status == 69)
        #expect(untrusted.stderr.contains("https://localhost:\(server.port)/…: TLS failed"))
        #expect(!untrusted.stderr.contains("secret-token"))
    }

    @Test(.enabled(if: HTTPSTestServer.canRun, "python3 and openssl are needed for the local HTTPS server"))
    func aWebhookThatAnswersWithAnErrorIsNotDelivered() throws {
        let temp = try TemporaryDirectory()
        let db = try AnalysisCommandTests.sampleDatabase(temp)
        for (status, exit) in [(404, Int32(76)), (503, Int32(75))] {
            let server = try HTTPSTestServer(status: status)
            let result = try Self.digest(
                ["--webhook", "https://127.0.0.1:\(server.port)/hook", "--ca-file", server.caFile], db: db)
            #expect(result.status == exit, "\(status): \(result.stderr)")
            #expect(result.stderr.contains("the webhook answered \(status)"))
        }
    }
}
