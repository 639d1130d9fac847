import Foundation
import ReportModel
import ReportStore

/// The writing side of an import, on the calling thread: the only code that writes to the database.
/// Inputs are grouped into transactions (each input in a savepoint, each report in a savepoint inside
/// it); a group is committed when the reader has nothing more ready, after ``maxGroupInputs`` inputs, or
/// after ``maxGroupSeconds``. Items are reported only once their transaction has committed.
final class InputWriter {
    private let database: ReportDatabase
    private let channel: EventChannel
    private let clock: () -> Date
    private let onItem: (ImportItem) -> Void
    private(set) var summary = ImportSummary()
    /// Items of the open transaction, reported when it commits; with the input each came from.
    private var pending: [(path: String, items: [ImportItem])] = []
    private var groupStarted = Date.distantPast

    static let maxGroupInputs = 500
    static let maxGroupSeconds = 0.25

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
        do {
            try database.withImportBatch { batch in
                while true {
                    switch channel.receive() {
                    case .finished:
                        commit(batch)
                        return
                    case .known(let items):
                        summary.inputs += 1
                        // Reported in order with the inputs around it: after the open group commits.
                        if batch.inTransaction {
                            pending.append((items.first?.input ?? "", items))
                        } else {
                            emit(items)
                        }
                    case .failed(let path, let message):
                        summary.failures.append("\(path): \(message)")
                    case .input(let start):
                        summary.inputs += 1
                        write(start, into: batch)
                        if pending.count >= Self.maxGroupInputs
                            || Date().timeIntervalSince(groupStarted) >= Self.maxGroupSeconds
                            || channel.isEmpty
                        {
                            commit(batch)
                        }
                    default:
                        // Events outside an input cannot happen; there is nothing to attach them to.
                        continue
                    }
                }
            }
        } catch {
            // The write connection itself could not be had: every input waiting is lost to this run.
            fail(pending.map(\.path), because: "\(error)", temporary: (error as? StoreError)?.isTemporary ?? false)
            drainAll()
        }
    }

    private struct InputAborted: Error {
        var message: String
    }

    /// Stores one input from its events, or none of it.
    private func write(_ start: InputStart, into batch: ImportBatch) {
        var sawEnd = false
        let groupOpen = batch.inTransaction
        do {
            if !batch.inTransaction {
                try batch.begin()
                groupStarted = Date()
            }
            let original: any OriginalSource =
                try start.bytes.map { OriginalChunks(bytes: $0) } ?? OriginalChunks(path: start.path, size: start.size)
            let result = try batch.importInput(
                name: start.path, sha256: start.sha256, original: original,
                importedAt: Int64(clock().timeIntervalSince1970)
            ) { session in
                try consume(into: session, input: start.path, sawEnd: &sawEnd)
            }
            if !sawEnd { skipToEndOfInput() }
            switch result {
            case .imported(let items), .alreadyImported(let items): pending.append((start.path, items))
            }
        } catch {
            if !sawEnd { skipToEndOfInput() }
            let temporary = (error as? StoreError)?.isTemporary ?? false
            let message = (error as? StoreError)?.message ?? (error as? InputAborted)?.message ?? "\(error)"
            fail([start.path], because: message, temporary: temporary)
            if groupOpen && !batch.inTransaction {
                // SQLite rolled the whole transaction back (disk full, I/O error): the group is lost too.
                fail(pending.map(\.path), because: "not stored: \(message)", temporary: temporary)
                pending = []
            }
        }
    }

    /// Commits the open group and reports its items; if the commit fails, its inputs are failures.
    private func commit(_ batch: ImportBatch) {
        do {
            try batch.commit()
            for (_, items) in pending { emit(items) }
        } catch {
            batch.rollback()
            let temporary = (error as? StoreError)?.isTemporary ?? false
            fail(pending.map(\.path), because: "not stored: \(error)", temporary: temporary)
        }
        pending = []
    }

    private func fail(_ paths: [String], because message: String, temporary: Bool) {
        for path in paths { summary.failures.append("\(path): \(message)") }
        summary.temporaryFailure = summary.temporaryFailure || (temporary && !paths.isEmpty)
    }

    /// Reads the remaining events so that the reader can finish.
    private func drainAll() {
        while true {
            if case .finished = channel.receive() { return }
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
