import Foundation
import ReportModel
import ReportStore

/// The writing side of an import, on the calling thread: the only code that writes to the database.
/// Each input is one transaction; each report a savepoint inside it.
final class InputWriter {
    private let database: ReportDatabase
    private let channel: EventChannel
    private let clock: () -> Date
    private let onItem: (ImportItem) -> Void
    private(set) var summary = ImportSummary()

    init(
        database: ReportDatabase, channel: EventChannel, clock: @escaping () -> Date,
        onItem: @escaping (ImportItem) -> Void
    ) {
        self.database = database
        self.channel = channel
        self.clock = clock
        self.onItem = onItem
    }

    /// Consumes events until the reader has finished.
    func run() {
        while true {
            switch channel.receive() {
            case .finished:
                return
            case .known(let items):
                summary.inputs += 1
                emit(items)
            case .failed(let path, let message):
                summary.failures.append("\(path): \(message)")
            case .input(let start):
                summary.inputs += 1
                write(start)
            default:
                // Events outside an input cannot happen; there is nothing to attach them to.
                continue
            }
        }
    }

    private struct InputAborted: Error {
        var message: String
    }

    /// Stores one input from its events, or none of it.
    private func write(_ start: InputStart) {
        var sawEnd = false
        do {
            let original: any OriginalSource =
                try start.bytes.map { OriginalChunks(bytes: $0) } ?? OriginalChunks(path: start.path, size: start.size)
            let result = try database.importInput(
                name: start.path, sha256: start.sha256, original: original,
                importedAt: Int64(clock().timeIntervalSince1970)
            ) { session in
                try consume(into: session, input: start.path, sawEnd: &sawEnd)
            }
            if !sawEnd { skipToEndOfInput() }
            switch result {
            case .imported(let items), .alreadyImported(let items): emit(items)
            }
        } catch {
            if !sawEnd { skipToEndOfInput() }
            if let error = error as? StoreError {
                summary.failures.append("\(start.path): \(error.message)")
                summary.temporaryFailure = summary.temporaryFailure || error.isTemporary
            } else if let error = error as? InputAborted {
                summary.failures.append("\(start.path): \(error.message)")
            } else {
                summary.failures.append("\(start.path): \(error)")
            }
        }
    }

    /// Applies one input's events inside its transaction.
    private func consume(into session: InputSession, input: String, sawEnd: inout Bool) throws -> [ImportItem] {
        var items: [ImportItem] = []
        var report: ReportWriter?
        while true {
            switch channel.receive() {
            case .beginReport(let part):
                report = try session.beginReport(part: part)
            case .records(let records):
                guard let report else { continue }
                for record in records { try report.add(record) }
            case .commitReport(let payload):
                guard let writer = report else { continue }
                report = nil
                let commit = try writer.commit(
                    header: payload.header, records: payload.records, messages: payload.messages,
                    payloadSHA256: payload.payloadSHA256, diagnostics: payload.diagnostics)
                items.append(Self.item(for: payload, input: input, commit: commit))
            case .discardReport(let item, let diagnostics):
                try report?.discard()
                report = nil
                try session.addItem(
                    part: item.part, outcome: .rejected, kind: item.kind, reason: item.reason, diagnostics: diagnostics)
                items.append(item)
            case .item(let item, let diagnostics):
                try session.addItem(
                    part: item.part, outcome: item.outcome, kind: item.kind, reason: item.reason,
                    diagnostics: diagnostics)
                items.append(item)
            case .endInput:
                sawEnd = true
                return items
            case .abortInput(let message):
                sawEnd = true
                throw InputAborted(message: message)
            case .input, .known, .failed, .finished:
                // The reader always closes an input before the next; never reached.
                sawEnd = true
                throw InputAborted(message: "import events out of order")
            }
        }
    }

    private func skipToEndOfInput() {
        while true {
            switch channel.receive() {
            case .endInput, .abortInput: return
            case .finished:
                // Keep the end of the stream for run().
                channel.sendFront(.finished)
                return
            default: continue
            }
        }
    }

    private func emit(_ items: [ImportItem]) {
        for item in items {
            summary.count(item)
            onItem(item)
        }
    }

    static func item(for payload: ParsedPayload, input: String, commit: ReportCommit) -> ImportItem {
        let metadata = payload.header.metadata
        var item = ImportItem(
            input: input, part: payload.part, outcome: .stored, kind: .dmarc, orgName: metadata.orgName,
            reportID: metadata.reportID, policyDomain: payload.header.policy.domain, begin: metadata.begin,
            end: metadata.end, records: payload.records, messages: payload.messages,
            diagnostics: payload.diagnostics.map(\.description))
        switch commit {
        case .stored:
            break
        case .duplicate(let existing):
            item.outcome = .duplicate
            item.reason = "report already stored (#\(existing))"
            item.diagnostics = []
        case .variant(_, let original):
            item.reason = "same identity as report #\(original) with different content: kept, not counted"
        }
        return item
    }
}
