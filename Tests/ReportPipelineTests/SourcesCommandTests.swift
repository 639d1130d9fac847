import Foundation
import ReportTestSupport
import Testing

/// `rua sources` run as a process against a dnsmasq test zone on a loopback port.
@Suite(.serialized) struct SourcesCommandTests {
    @Test(.enabled(if: DNSServer.isAvailable, DNSServer.missing))
    func sourcesAreIdentifiedCachedAndWorkOffline() throws {
        let temp = try TemporaryDirectory()
        let server = try DNSServer.start(
            hostRecords: [("mail-sor-f41.google.com", "192.0.2.10"), ("v6.sender.test", "2001:db8::25")],
            ptrRecords: [(address: "203.0.113.77", name: "unknown.spoof.test")], in: temp)
        let db = temp.path("db.sqlite")
        _ = try RuaExecutable.run(
            ["import", "--quiet", "--db", db] + SampleReports.folders, environment: ["RUA_NOW": "2025-12-02"])
        // A services table beside the database names the newsletter provider.
        _ = try temp.write(
            "services.csv", "domain,service,type\nesp.example.net,Our newsletter ESP,email service provider\n")
        let environment = ["RUA_NOW": "2025-12-03T10:00:00Z"]
        for format in ["text", "json", "csv"] {
            let result = try RuaExecutable.run(
                ["sources", "--db", db, "--dns-server", server.address, "--format", format], environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            assertSnapshot(result.stdout, named: "sources.\(format)")
        }
        let text = try RuaExecutable.run(
            ["sources", "--db", db, "--dns-server", server.address, "--wide"], environment: environment
        ).stdout
        #expect(text.contains("192.0.2.10: Google Workspace / Gmail (mailbox provider): PTR mail-sor-f41.google.com,"))
        #expect(
            text.contains("198.51.100.25: Our newsletter ESP (email service provider): no PTR; DKIM d=esp.example.net"))
        #expect(text.contains("203.0.113.77: PTR unknown.spoof.test, not forward-confirmed"))

        // Everything is cached: further runs, and the failure analysis, ask the server nothing.
        let asked = server.queries
        #expect(asked > 0)
        _ = try RuaExecutable.run(["sources", "--db", db, "--dns-server", server.address], environment: environment)
        let failures = try RuaExecutable.run(
            ["failures", "--db", db, "--last", "7d", "--dns-server", server.address, "--format", "json"],
            environment: environment)
        #expect(failures.stdout.contains("\"ptr\":\"unknown.spoof.test\",\"ptr_confirmed\":false"))
        #expect(server.queries == asked)

        // Offline, on a fresh database: no query at all, and it says so.
        let fresh = temp.path("fresh.sqlite")
        _ = try RuaExecutable.run(["import", "--quiet", "--db", fresh, "SampleReports/dmarc"])
        let offline = try RuaExecutable.run(
            ["sources", "--db", fresh, "--dns-server", server.address, "--format", "json"],
            environment: ["RUA_OFFLINE": "1"])
        #expect(offline.status == 0)
        #expect(offline.stdout.contains("\"reverse_dns\":\"not_looked_up\""))
        let flag = try RuaExecutable.run(["sources", "--db", fresh, "--dns-server", server.address, "--offline"])
        #expect(flag.status == 0)
        #expect(server.queries == asked)
    }

    @Test func aBrokenServicesFileIsAUsageError() throws {
        let temp = try TemporaryDirectory()
        let file = try temp.write("services.csv", "domain,service\njust-a-domain.example\n")
        _ = try RuaExecutable.run(["import", "--quiet", "--db", temp.path("db.sqlite"), "SampleReports/tlsrpt"])
        let result = try RuaExecutable.run(
            ["sources", "--db", temp.path("db.sqlite"), "--offline", "--services", file])
        #expect(result.status == 64)
        #expect(result.stderr.contains("line 2: expected domain,service[,type]"))
    }
}
