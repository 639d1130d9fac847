import Foundation
import ReportIngest
import ReportModel
import ReportPipeline
import ReportStore
import ReportTestSupport
import Testing

/// A source of inputs other than paths (what a mailbox on a server or an upload will be) plugs into the
/// import through ``InputSource`` alone, and each input is acknowledged only once its outcome is
/// committed.
@Suite struct InputSourceTests {
    /// Inputs held in memory, as a mailbox fetched over the network would hand them over.
    struct MemorySource: InputSource {
        var events: [SourceEvent]
        mutating func next() -> SourceEvent? { events.isEmpty ? nil : events.removeFirst() }
    }

    final class Acknowledgements: @unchecked Sendable {
        private let lock = NSLock()
        private var names: [String] = []
        /// For each acknowledged input, whether a connection of its own saw it stored at that moment.
        private var committed: [Bool] = []
        func record(_ name: String, committed seen: Bool) {
            lock.withLock {
                names.append(name)
                committed.append(seen)
            }
        }
        var all: (names: [String], committed: [Bool]) { lock.withLock { (names, committed) } }
    }

    @Test func everyInputIsAcknowledgedOnlyOnceItsOutcomeIsCommitted() throws {
        let temp = try TemporaryDirectory()
        let path = temp.path("rua.sqlite")
        let database = try ReportDatabase(path: path)
        let report = try SampleReports.bytes("dmarc/google.com!example.com!1764547200!1764633599.zip")
        let garbage = Array("not a report at all".utf8)
        let acknowledged = Acknowledgements()
        func input(_ name: String, _ bytes: [UInt8], failing: Bool = false) -> SourceEvent {
            .input(
                ImportInput(name: name, content: .bytes(bytes)) { items in
                    // The items of this input reach its acknowledgement.
                    #expect(!items.isEmpty && items.allSatisfy { $0.input == name })
                    // Another connection sees the input only if its transaction has committed.
                    let reader = try ReportDatabase(path: path)
                    acknowledged.record(
                        name, committed: try reader.knownInput(sha256: SHA256Hasher.digest(bytes), name: name) != nil)
                    if failing { throw AcknowledgementRefused() }
                })
        }
        let source = MemorySource(events: [
            input("imap://mx/INBOX;UID=1", report), input("imap://mx/INBOX;UID=2", report),
            input("imap://mx/INBOX;UID=3", garbage), .unreadable(name: "imap://mx/INBOX;UID=4", reason: "fetch failed"),
            input("imap://mx/INBOX;UID=5", garbage + [0x0A], failing: true),
        ])
        var items: [ImportItem] = []
        let summary = try ImportPipeline(database: database).importInputs(from: source) { items.append($0) }
        #expect(items.map(\.outcome) == [.stored, .duplicate, .rejected, .rejected])
        #expect(summary.inputs == 4)
        let (names, committed) = acknowledged.all
        #expect(
            names == [
                "imap://mx/INBOX;UID=1", "imap://mx/INBOX;UID=2", "imap://mx/INBOX;UID=3", "imap://mx/INBOX;UID=5",
            ])
        #expect(committed == [true, true, true, true])
        #expect(
            summary.failures == [
                "imap://mx/INBOX;UID=4: fetch failed",
                "imap://mx/INBOX;UID=5: stored, but the server refused the move",
            ])
    }

    struct AcknowledgementRefused: Error, CustomStringConvertible {
        var description: String { "the server refused the move" }
    }
}
