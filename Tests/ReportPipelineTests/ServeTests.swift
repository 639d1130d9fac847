import Foundation
import ReportTestSupport
import Testing

/// `rua serve` as a process on loopback, spoken to by curl.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "needs curl"))
struct ServeTests {
    /// The samples and a report whose strings carry markup and attribute breakers.
    static func database(_ temp: TemporaryDirectory) throws -> String {
        try database(temp, .sqlite).argument
    }

    /// The same in a database of `engine`.
    static func database(_ temp: TemporaryDirectory, _ engine: TestEngine) throws -> TestDatabase {
        let store = try AnalysisCommandTests.sampleDatabase(temp, engine)
        let db = store.argument
        let evil = SyntheticReport(
            org: "<script>alert(1)</script>\"><img src=x onerror=alert(2)>'", reportID: "<b>id\"'</b>",
            domain: "example.com", begin: 1_764_633_600,
            rows: [.init("203.0.113.66", 5, dkim: "fail", spf: "fail", headerFrom: "\"><svg onload=alert(3)>")])
        _ = try RuaExecutable.run(["import", "--quiet", "--db", db, try temp.write("evil.xml", evil.xml)])
        return store
    }

    static let now = ["RUA_NOW": "2025-12-03T10:00:00Z"]

    /// A TLS report for example.com with its own report id.
    static func tlsReport(_ id: String) -> String {
        """
        {"organization-name":"Poster","date-range":{"start-datetime":"2025-12-01T00:00:00Z",
         "end-datetime":"2025-12-01T23:59:59Z"},"contact-info":"tls@poster.test","report-id":"\(id)",
         "policies":[{"policy":{"policy-type":"sts","policy-domain":"example.com"},
          "summary":{"total-successful-session-count":10,"total-failure-session-count":0}}]}
        """
    }

    @Test(arguments: TestEngine.available) func everyPageAndDocumentAnswersWithItsTypeAndTheSecurityHeaders(
        _ engine: TestEngine
    ) throws {
        let temp = try TemporaryDirectory()
        let store = try Self.database(temp, engine)
        let server = try RuaServer(["--db", store.argument], environment: Self.now, in: temp)
        let pages: [(String, String)] = [
            ("/", "text/html"), ("/?days=30", "text/html"), ("/?since=2025-11-30&until=2025-12-02", "text/html"),
            ("/domain/example.com", "text/html"), ("/source/203.0.113.66", "text/html"), ("/reports", "text/html"),
            ("/quarantine", "text/html"), ("/static/rua.css", "text/css"), ("/api/summary.csv", "text/csv"),
            ("/api/failures.csv?domain=example.com", "text/csv"), ("/api/reports.csv", "text/csv"),
            ("/metrics", "text/plain"), ("/healthz", "text/plain"), ("/reports/1/original", "application/octet-stream"),
            ("/report/1", "text/html"), ("/report/1?page=2&per_page=1", "text/html"),
            ("/reporter/Mail.Ru", "text/html"),
        ]
        for (path, type) in pages {
            let answer = try server.curl(path)
            #expect(answer.status == 200, "\(path): \(answer.body)")
            #expect(answer.headers["content-type"]?.hasPrefix(type) == true, "\(path)")
            #expect(answer.headers["content-security-policy"]?.contains("default-src 'none'") == true, "\(path)")
            #expect(answer.headers["x-content-type-options"] == "nosniff")
            #expect(answer.headers["x-frame-options"] == "DENY")
        }
        let domain = try server.curl("/domain/example.com").body
        #expect(domain.contains("<h2>Receivers overriding the policy</h2>"))
        #expect(domain.contains("arc=pass"), "the sample's local_policy override with arc=pass")
        for (path, schema) in [
            ("/api/digest", "digest"), ("/api/summary", "summary"), ("/api/failures?domain=example.com", "failures"),
            ("/api/reports?per_page=3", "reports"), ("/api/tls", "tls"), ("/api/quarantine", "quarantine"),
        ] {
            let answer = try server.curl(path)
            #expect(answer.status == 200 && answer.headers["content-type"] == "application/json", "\(path)")
            #expect(try JSONSchemaCheck.errors(in: answer.body, schema: schema) == [], "\(path)")
        }
        let paged = try JSONSerialization.jsonObject(with: Data(try server.curl("/api/reports?per_page=3").body.utf8))
        #expect(((paged as? [String: Any])?["rows"] as? [Any])?.count == 3)
        for (path, status) in [
            ("/nowhere", 404), ("/domain/not%20a%20domain", 404), ("/?days=0", 400), ("/?since=yesterday-ish", 400),
            ("/reports/999999/original", 404), ("/report/999999", 404), ("/api/reports?per_page=5000", 400),
            ("/source/%3Cx%3E", 404),
        ] {
            #expect(try server.curl(path).status == status, "\(path)")
        }
    }

    @Test func reportStringsAreInertInEveryPage() throws {
        let temp = try TemporaryDirectory()
        let server = try RuaServer(["--db", try Self.database(temp)], environment: Self.now, in: temp)
        // The report page of the report whose id is markup.
        let evil = try #require(
            try server.curl("/reports").body.components(separatedBy: "href=\"/report/").dropFirst().first {
                $0.contains("\">&lt;b&gt;id")
            }.map { String($0.prefix { $0.isNumber }) })
        #expect(try server.curl("/report/\(evil)").body.contains("&lt;script&gt;alert(1)"))
        for path in ["/", "/domain/example.com", "/source/203.0.113.66", "/reports", "/quarantine", "/report/\(evil)"] {
            let body = try server.curl(path).body.lowercased()
            for live in ["<script", "<img", "<svg onload", "<b>id", "\"><svg"] {
                #expect(!body.contains(live), "\(path) carries \(live)")
            }
        }
        let org = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>'"
        let reporter = try server.curl("/reporter/" + org.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        #expect(reporter.status == 200)
        #expect(!reporter.body.contains("<script") && !reporter.body.contains("<img"))
        #expect(reporter.body.contains("<h1>&lt;script&gt;alert(1)"))
        #expect(reporter.body.contains("hostile") == false && reporter.body.contains("&lt;b&gt;id"))
        let reports = try server.curl("/reports").body
        #expect(
            reports.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;&#39;"))
        #expect(reports.contains("&lt;b&gt;id&quot;&#39;&lt;/b&gt;"))
    }

    @Test(arguments: TestEngine.available) func theIntakeAnswersOnceTheOutcomeIsCommitted(_ engine: TestEngine) throws {
        let temp = try TemporaryDirectory()
        let store = try Self.database(temp, engine)
        let db = store.argument
        let tokens = temp.path("tokens")
        let write = try RuaExecutable.run(["serve", "--new-token", "collector", "--scope", "write"])
        let read = try RuaExecutable.run(["serve", "--new-token", "grafana"])
        func token(_ output: String) -> String {
            String(output.split(separator: "\n")[0].split(separator: " ").last ?? "")
        }
        func line(_ output: String) -> String {
            String(output.split(separator: "\n")[1].dropFirst("line for the --tokens file: ".count))
        }
        try (line(write.stdout) + "\n" + line(read.stdout) + "\n").write(
            toFile: tokens, atomically: true, encoding: .utf8)
        let server = try RuaServer(
            ["--db", db, "--tokens", tokens, "--max-body-bytes", "200000"], environment: Self.now, in: temp)
        let json = try temp.write("tls.json", Self.tlsReport("posted-1"))
        let gzip = temp.path("tls.json.gz")
        try Data(Compression.gzip(Self.tlsReport("posted-2"))).write(to: URL(fileURLWithPath: gzip))
        func post(_ path: String, _ type: String, _ file: String, _ extra: [String] = []) throws -> RuaServer.Answer {
            try server.curl(path, ["-X", "POST", "-H", "Content-Type: \(type)", "--data-binary", "@" + file] + extra)
        }
        let stored = try post("/tlsrpt", "application/tlsrpt+json", json)
        #expect(stored.status == 201, "\(stored.body)")
        #expect(stored.body.contains("\"outcome\":\"stored\""))
        // Committed before the answer: another process reads it at once.
        let listed = try RuaExecutable.run(["reports", "--db", db, "--format", "csv"]).stdout
        #expect(listed.contains("posted-1"))
        #expect(try post("/tlsrpt", "application/tlsrpt+json", json).status == 200)
        #expect(try post("/tlsrpt", "application/tlsrpt+gzip", gzip).status == 201)
        #expect(try post("/tlsrpt", "application/json", json).status == 415)
        #expect(try post("/tlsrpt", "application/tlsrpt+gzip", json).status == 400)
        // Too big, said before reading; a gzip bomb within the size is refused by the import's limit and kept.
        let big = temp.path("big.json")
        try Data(repeating: UInt8(ascii: " "), count: 300_000).write(to: URL(fileURLWithPath: big))
        #expect(try post("/tlsrpt", "application/tlsrpt+json", big).status == 413)
        let bomb = temp.path("bomb.gz")
        try Data(Compression.gzip([UInt8](repeating: UInt8(ascii: " "), count: 200_000_000)))
            .write(to: URL(fileURLWithPath: bomb))
        let refused = try post("/tlsrpt", "application/tlsrpt+gzip", bomb)
        #expect(refused.status == 422, "\(refused.body)")
        #expect(refused.body.contains("\"outcome\":\"rejected\""))
        // Uploads need a write token.
        let xml = try temp.write(
            "r.xml",
            SyntheticReport(org: "Uploader", reportID: "up-1", begin: 1_764_547_200, rows: [.init("192.0.2.1", 1)]).xml)
        #expect(try post("/upload", "application/xml", xml).status == 401)
        #expect(
            try post("/upload", "application/xml", xml, ["-H", "Authorization: Bearer \(token(read.stdout))"]).status
                == 401)
        #expect(try post("/upload", "application/xml", xml, ["-H", "Authorization: Bearer wrong"]).status == 401)
        let uploaded = try post(
            "/upload?name=r.xml", "application/xml", xml, ["-H", "Authorization: Bearer \(token(write.stdout))"])
        #expect(uploaded.status == 201, "\(uploaded.body)")
        // With tokens configured, reading needs one too.
        #expect(try server.curl("/").status == 401)
        #expect(try server.curl("/", ["-H", "Authorization: Bearer \(token(read.stdout))"]).status == 200)
        let metrics = try server.curl("/metrics", ["-H", "Authorization: Bearer \(token(read.stdout))"]).body
        #expect(metrics.contains("rua_intake_requests_total{outcome=\"stored\"} 3"))
        #expect(metrics.contains("rua_intake_requests_total{outcome=\"rejected\"} 1"))
        #expect(metrics.contains("rua_dmarc_messages_total{domain=\"example.com\"} "))
        #expect(metrics.contains("rua_tls_sessions_total{domain=\"example.com\",result=\"success\"} "))
    }

    @Test(arguments: TestEngine.available) func pagesFollowWhatImportsCommit(_ engine: TestEngine) throws {
        let temp = try TemporaryDirectory()
        let store = try Self.database(temp, engine)
        let db = store.argument
        let server = try RuaServer(["--db", db, "--cache-seconds", "0"], environment: Self.now, in: temp)
        func reports() throws -> Int {
            let body = try server.curl("/api/reports?per_page=1000").body
            return ((try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["rows"] as? [Any])?
                .count ?? -1
        }
        let before = try reports()
        let late = SyntheticReport(org: "Late", reportID: "late-1", begin: 1_764_547_200, rows: [.init("192.0.2.1", 1)])
        #expect(
            try RuaExecutable.run(["import", "--quiet", "--db", db, try temp.write("late.xml", late.xml)]).status == 0)
        // The first answer after the commit may be the page kept; it renders anew, and the next has it.
        var after = before
        for _ in 0..<50 where after == before {
            after = try reports()
            usleep(100_000)
        }
        #expect(after == before + 1)
    }

    @Test(arguments: TestEngine.available) func manyReadersAtOnceEachGetTheirPage(_ engine: TestEngine) throws {
        let temp = try TemporaryDirectory()
        let store = try Self.database(temp, engine)
        let server = try RuaServer(
            ["--db", store.argument, "--cache-seconds", "0"], environment: Self.now, in: temp)
        let paths = ["/", "/domain/example.com", "/api/digest", "/metrics", "/api/failures", "/reports", "/?days=30"]
        // Every page at once, four times over, each rendering reading the database on its own connection.
        let script =
            (0..<4).flatMap { round in
                paths.map {
                    "curl -s -o /dev/null -w '%{http_code}\\n' '\(server.base)\($0)\($0.contains("?") ? "&" : "?")r=\(round)' &"
                }
            }.joined(separator: " ") + " wait"
        let codes = try RuaExecutable.run(["/bin/bash", "-c", script], viaShell: true).stdout.split(
            whereSeparator: \.isNewline)
        #expect(codes.count == paths.count * 4)
        #expect(codes.allSatisfy { $0 == "200" }, "\(codes)")
        #expect(try server.curl("/healthz").status == 200, "\(server.log)")
    }

    @Test(arguments: TestEngine.available) func aHundredConcurrentUploadsAreEachStoredOnce(_ engine: TestEngine) throws
    {
        let temp = try TemporaryDirectory()
        let store = try Self.database(temp, engine)
        let db = store.argument
        let server = try RuaServer(["--db", db, "--intake-per-minute", "1000"], environment: Self.now, in: temp)
        for index in 0..<100 { _ = try temp.write("t\(index).json", Self.tlsReport("burst-\(index)")) }
        // 100 curls at once, twice over: the second round finds every report stored.
        for (round, expected) in [(1, "201"), (2, "200")] {
            let result = try RuaExecutable.run(
                [
                    "/bin/bash", "-c",
                    "cd \(temp.path("")) && for i in $(seq 0 99); do curl -s -o /dev/null -w '%{http_code}\\n' -X POST "
                        + "-H 'Content-Type: application/tlsrpt+json' --data-binary @t$i.json \(server.base)/tlsrpt & done; wait",
                ], viaShell: true)
            let codes = result.stdout.split(separator: "\n")
            #expect(codes.count == 100, "round \(round)")
            #expect(codes.allSatisfy { $0 == expected }, "round \(round): \(Set(codes))")
        }
        let listed = try RuaExecutable.run(["reports", "--db", db, "--format", "csv"]).stdout
        #expect(listed.split(whereSeparator: \.isNewline).filter { $0.contains("burst-") }.count == 100)
    }

    @Test func aPublicAddressNeedsCredentialsAndAccountsSignIn() throws {
        let temp = try TemporaryDirectory()
        let db = try Self.database(temp)
        let open = try RuaExecutable.run(["serve", "--db", db, "--listen", "0.0.0.0:0"])
        #expect(open.status == 64)
        #expect(open.stderr.contains("not a loopback address"))
        let hash = try RuaExecutable.run(["serve", "--hash-password"], input: Array("s3cret-pass\n".utf8))
        #expect(hash.stdout.hasPrefix("$2"))
        let accounts = try temp.write("accounts", "ann:" + hash.stdout)
        let server = try RuaServer(["--db", db, "--accounts", accounts], environment: Self.now, in: temp)
        let anonymous = try server.curl("/")
        #expect(anonymous.status == 401)
        #expect(anonymous.headers["www-authenticate"]?.hasPrefix("Basic") == true)
        #expect(try server.curl("/", ["-u", "ann:wrong"]).status == 401)
        #expect(try server.curl("/", ["-u", "ann:s3cret-pass"]).status == 200)
        // TLS reports come from anyone.
        let json = try temp.write("tls.json", Self.tlsReport("open-1"))
        #expect(
            try server.curl(
                "/tlsrpt", ["-X", "POST", "-H", "Content-Type: application/tlsrpt+json", "--data-binary", "@" + json]
            ).status == 201)
        let broken = try temp.write("accounts-bad", "ann:plaintext\n")
        #expect(try RuaExecutable.run(["serve", "--db", db, "--accounts", broken]).status == 64)
    }

    @Test func reprocessingFromThePageNeedsTheFormsTokenAndAWriteToken() throws {
        let temp = try TemporaryDirectory()
        let db = try Self.database(temp)
        let write = try RuaExecutable.run(["serve", "--new-token", "ops", "--scope", "write"])
        let lines = write.stdout.split(separator: "\n")
        let token = String(lines[0].split(separator: " ").last ?? "")
        let tokens = try temp.write("tokens", String(lines[1].dropFirst("line for the --tokens file: ".count)) + "\n")
        // A person signed in with an account, who types the write token into the form.
        let hash = try RuaExecutable.run(["serve", "--hash-password"], input: Array("pw-of-ann\n".utf8)).stdout
        let accounts = try temp.write("accounts", "ann:" + hash)
        let server = try RuaServer(
            ["--db", db, "--tokens", tokens, "--accounts", accounts], environment: Self.now, in: temp)
        let jar = temp.path("cookies")
        let page = try server.curl("/quarantine", ["-c", jar, "-u", "ann:pw-of-ann"])
        #expect(page.status == 200)
        #expect(page.headers["set-cookie"]?.contains("SameSite=Strict") == true)
        let csrf = try #require(
            page.body.range(of: "name=\"csrf\" value=\"").map { String(page.body[$0.upperBound...].prefix(32)) })
        let id = try #require(
            page.body.range(of: "/quarantine/").map { String(page.body[$0.upperBound...].prefix { $0.isNumber }) })
        func reprocess(_ fields: String, cookies: Bool = true) throws -> Int {
            try server.curl(
                "/quarantine/\(id)/reprocess",
                ["-X", "POST", "-u", "ann:pw-of-ann", "--data", fields] + (cookies ? ["-b", jar] : [])
            ).status
        }
        // A form from elsewhere (no cookie, or a wrong field) and a missing token are refused.
        #expect(try reprocess("csrf=\(csrf)&token=\(token)", cookies: false) == 403)
        #expect(try reprocess("csrf=\(String(repeating: "0", count: 32))&token=\(token)") == 403)
        #expect(try reprocess("csrf=\(csrf)&token=nope") == 403)
        #expect(try reprocess("csrf=\(csrf)&token=\(token)") == 200)
    }

    @Test(.enabled(if: HeadlessBrowser.isInstalled, "needs chromium (Scripts/install-deps.sh installs it)"))
    func theDashboardPassesTheBrowserTest() throws {
        let temp = try TemporaryDirectory()
        let server = try RuaServer(["--db", try Self.database(temp)], environment: Self.now, in: temp)
        let result = try RuaExecutable.run(
            [
                "/usr/bin/python3", SampleReports.packageRoot.appendingPathComponent("Scripts/browser-test.py").path,
                server.base + "/", "--screenshots", temp.path("shots"),
            ], viaShell: true)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect((report?["pages"] as? Int ?? 0) >= 10)
        for name in ["overview-1280-light", "overview-400-dark", "domain-400-light"] {
            #expect(FileManager.default.fileExists(atPath: temp.path("shots/\(name).png")), "\(name)")
        }
    }
}

/// A certificate for 127.0.0.1, made by openssl for a test.
func loopbackCertificate(_ temp: TemporaryDirectory) throws -> (certificate: String, key: String) {
    let certificate = temp.path("cert.pem")
    let key = temp.path("key.pem")
    let made = try RuaExecutable.run(
        [
            "/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out",
            certificate, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ], viaShell: true)
    #expect(made.status == 0, "\(made.stderr)")
    return (certificate, key)
}

@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "needs curl"))
struct DirectTLSTests {
    @Test func withACertificateItServesHTTPSOnly() throws {
        let temp = try TemporaryDirectory()
        let db = try ServeTests.database(temp)
        let (certificate, key) = try loopbackCertificate(temp)
        let server = try RuaServer(
            ["--db", db, "--tls-cert", certificate, "--tls-key", key], environment: ServeTests.now, in: temp)
        #expect(server.scheme == "https")
        let page = try server.curl("/domain/example.com", ["--cacert", certificate])
        #expect(page.status == 200 && page.body.contains("<h1>example.com</h1>"))
        // Plain HTTP on the same port gets no answer it could read; an untrusted client refuses the certificate.
        #expect(
            try RuaExecutable.run(
                ["/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(server.port)/"],
                viaShell: true
            ).stdout != "200")
        #expect(try server.curl("/").status == 0)
        #expect(try RuaExecutable.run(["serve", "--db", db, "--tls-cert", certificate]).status == 64)
    }
}

/// README's nginx example in front of `rua serve`: TLS at nginx, the answers and headers passed through.
@Suite(
    .enabled(
        if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"),
        "needs nginx (Scripts/install-deps.sh installs nginx-light) and curl"))
struct ReverseProxyTests {
    @Test func theReadmesNginxExampleServesTheDashboardAndTheIntakeOverTLS() throws {
        let temp = try TemporaryDirectory()
        let db = try ServeTests.database(temp)
        let server = try RuaServer(["--db", db], environment: ServeTests.now, in: temp)
        let (certificate, key) = try loopbackCertificate(temp)
        // The server block exactly as README gives it, but for the addresses and files of this test.
        let readme = try String(contentsOf: SampleReports.url("../README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "```nginx\n")).upperBound
        let end = try #require(readme.range(of: "```", range: start..<readme.endIndex)).lowerBound
        let port = try DNSServer.freePort()
        let block = readme[start..<end]
            .replacingOccurrences(of: "listen 443 ssl;", with: "listen 127.0.0.1:\(port) ssl;")
            .replacingOccurrences(of: "/etc/letsencrypt/live/rua.example.com/fullchain.pem", with: certificate)
            .replacingOccurrences(of: "/etc/letsencrypt/live/rua.example.com/privkey.pem", with: key)
            .replacingOccurrences(of: "http://127.0.0.1:8080", with: server.base)
        #expect(block.contains(server.base) && block.contains(certificate))
        let prefix = temp.path("nginx")
        try FileManager.default.createDirectory(atPath: prefix + "/logs", withIntermediateDirectories: true)
        let configuration = try temp.write(
            "nginx.conf",
            """
            daemon off;
            master_process off;
            pid \(prefix)/nginx.pid;
            error_log \(prefix)/logs/error.log;
            events {}
            http {
                access_log off;
                client_body_temp_path \(prefix)/body;
                proxy_temp_path \(prefix)/proxy;
                fastcgi_temp_path \(prefix)/fastcgi;
                uwsgi_temp_path \(prefix)/uwsgi;
                scgi_temp_path \(prefix)/scgi;
            \(block)
            }
            """)
        let nginx = try Spawn.start(
            "/usr/sbin/nginx", ["-p", prefix, "-c", configuration], log: temp.path("nginx.out"))
        defer {
            kill(nginx, SIGKILL)
            var status: Int32 = 0
            waitpid(nginx, &status, 0)
        }
        let url = "https://127.0.0.1:\(port)"
        var answer = ""
        for _ in 0..<100 {
            answer = try RuaExecutable.run(
                [
                    "/usr/bin/curl", "-s", "--cacert", certificate, "-o", "/dev/null", "-w", "%{http_code}",
                    url + "/healthz",
                ],
                viaShell: true
            ).stdout
            if answer == "200" { break }
            usleep(50_000)
        }
        #expect(answer == "200", "\((try? String(contentsOfFile: prefix + "/logs/error.log", encoding: .utf8)) ?? "")")
        let page = try RuaExecutable.run(
            ["/usr/bin/curl", "-s", "-i", "--cacert", certificate, url + "/domain/example.com"], viaShell: true
        ).stdout
        #expect(page.hasPrefix("HTTP/1.1 200"))
        #expect(page.contains("Content-Security-Policy: default-src 'none'"))
        #expect(page.contains("<h1>example.com</h1>"))
        let json = try temp.write("tls.json", ServeTests.tlsReport("proxied-1"))
        let posted = try RuaExecutable.run(
            [
                "/usr/bin/curl", "-s", "--cacert", certificate, "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                "-H", "Content-Type: application/tlsrpt+json", "--data-binary", "@" + json, url + "/tlsrpt",
            ], viaShell: true)
        #expect(posted.stdout == "201")
    }
}
