import Foundation
import ReportAnalysis
import ReportModel
import ReportStore
import ReportTestSupport
import SenderAttribution
import Testing

/// The test zone: a confirmed name, a PTR whose name points elsewhere, an IPv6 host.
func testZone(_ temp: TemporaryDirectory) throws -> DNSServer {
    try DNSServer.start(
        hostRecords: [
            ("mail-sor-f41.google.com", "192.0.2.10"), ("liar.sender.test", "198.51.100.99"),
            ("v6.sender.test", "2001:db8::25"),
        ],
        ptrRecords: [(address: "192.0.2.11", name: "liar.sender.test")], in: temp)
}

@Suite(.serialized) struct ReverseDNSTests {
    @Test(.enabled(if: DNSServer.isAvailable, DNSServer.missing))
    func ptrNamesAreFoundAndForwardConfirmed() throws {
        let temp = try TemporaryDirectory()
        let server = try testZone(temp)
        let resolver = try ReverseResolver(DNSConfiguration(server: server.address, timeoutMilliseconds: 1_000))
        let answers = resolver.lookup(["192.0.2.10", "192.0.2.11", "192.0.2.99", "2001:db8::25", "not-an-ip"])
        #expect(answers["192.0.2.10"] == .name("mail-sor-f41.google.com", confirmed: true))
        // The PTR says liar.sender.test, whose address is another one: not confirmed.
        #expect(answers["192.0.2.11"] == .name("liar.sender.test", confirmed: false))
        #expect(answers["192.0.2.99"] == .noPTR)
        #expect(answers["2001:db8::25"] == .name("v6.sender.test", confirmed: true))
        #expect(answers["not-an-ip"] == .failure("not an IP address"))
        #expect(server.queries >= 6)
    }

    /// Bounded by construction: each address is asked once (tries: 1), and the answer is a time-out, so
    /// the whole lookup takes at most tries × timeout per batch. The server counts the questions.
    @Test func aServerThatNeverAnswersIsAskedOnceAndTimesOut() throws {
        let silent = try SilentServer()
        let resolver = try ReverseResolver(
            DNSConfiguration(server: silent.address, timeoutMilliseconds: 200, tries: 1, concurrency: 4))
        let answers = resolver.lookup(["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"])
        #expect(answers.values.allSatisfy { $0 == .failure("timed out") }, "\(answers)")
        #expect(answers.count == 5)
        #expect(silent.questionsReceived() == 5)
    }

    @Test func anUnusableServerArgumentIsRefused() {
        #expect(throws: ReverseResolver.SetupError.self) {
            _ = try ReverseResolver(DNSConfiguration(server: "not a server"))
        }
    }

    @Test(.enabled(if: DNSServer.isAvailable, DNSServer.missing))
    func answersAreCachedAndASecondRunAsksNothing() throws {
        let temp = try TemporaryDirectory()
        let server = try testZone(temp)
        let database = try temp.makeDatabase()
        let now: Int64 = 1_764_756_000
        let mode = DNSMode.online(DNSConfiguration(server: server.address, timeoutMilliseconds: 1_000))
        let first = SourceIdentifier(database: database, mode: mode, now: now)
        let addresses = ["192.0.2.10", "192.0.2.11", "192.0.2.99"]
        let identified = try first.identify(addresses, authDomains: [:])
        #expect(first.queriesSent == 5)  // three PTR, two forward
        let asked = server.queries
        #expect(identified["192.0.2.10"]?.service?.name == "Google Workspace / Gmail")

        let second = SourceIdentifier(database: database, mode: mode, now: now + 3_600)
        #expect(try second.identify(addresses, authDomains: [:]) == identified)
        #expect(second.queriesSent == 0)
        #expect(server.queries == asked)

        // "No PTR" is kept for a day: after it, the address is asked again; names are kept longer.
        let nextDay = SourceIdentifier(database: database, mode: mode, now: now + 86_400 + 1)
        _ = try nextDay.reverseDNS(addresses)
        #expect(nextDay.queriesSent == 1)
    }

    @Test func offlineMeansNoQueriesAtAll() throws {
        let temp = try TemporaryDirectory()
        let server = try testZone(temp)
        let database = try temp.makeDatabase()
        let offline = SourceIdentifier(database: database, mode: .offline, now: 1_764_756_000)
        let identified = try offline.identify(["192.0.2.10"], authDomains: ["192.0.2.10": (["google.com"], [])])
        #expect(server.queries == 0)
        #expect(offline.queriesSent == 0)
        #expect(identified["192.0.2.10"]?.reverse == nil)
        // The DKIM domain still names the service.
        #expect(identified["192.0.2.10"]?.service?.name == "Google Workspace / Gmail")
    }
}
