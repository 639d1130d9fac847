import Foundation
import ReportIngest
import ReportModel
import ReportStore

/// The writing side of an import, on the calling thread: the only code that writes to the database.
/// Inputs are grouped into transactions (each input in a savepoint, each report in a savepoint inside
/// it); a group is committed after ``maxGroupInputs`` inputs, once it is ``maxGroupSeconds`` old, or when
/// the reader has sent nothing for the rest of that time (so the write lock is never held idle for long).
/// Items are reported only once their transaction has committed.
final class InputWriter {
    private let database: ReportDatabase
    private let channel: EventChannel
    private let clock: () -> Date
    private let onItem: (ImportItem) -> Void
    private(set) var summary = ImportSummary()
    /// Items of the open transaction, reported when it commits; with the input each came from, and the
    /// Maildir message to mark seen once committed.
    private var pending: [(path: String, items: [ImportItem], maildirNew: String?)] = []
    private let markMaildirSeen: Bool
    private var groupStarted = Date.distantPast

    static let maxGroupInputs = 500
    static let maxGroupSeconds = 0.25

    init(
        database: ReportDatabase, channel: EventChannel, clock: @escaping () -> Date, markMaildirSeen: Bool,
        onItem: @escaping (ImportItem) -> Void
    ) {
        self.markMaildirSeen = markMaildirSeen
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
                    let deadline = groupStarted.addingTimeInterval(Self.maxGroupSeconds)
                    guard let event = batch.inTransaction ? channel.receive(until: deadline) : channel.receive()
                    else {
                        commit(batch)
                        continue
                    }
                    switch event {
                    case .finished:
                        commit(batch)
                        return
                    case .known(let items, let maildirNew):
                        summary.inputs += 1
                        // Reported in order with the inputs around it: after the open group commits.
                        if batch.inTransaction {
                            pending.append((items.first?.input ?? "", items, maildirNew))
                        } else {
                            emit(items)
                            markSeen(maildirNew)
                        }
                    case .failed(let path, let message):
                        summary.failures.append("\(path): \(message)")
                    case .discovered(let count):
                        summary.filesFound += count
                    case .passedOver(let path, let reason):
                        summary.passedOver.append("\(path): \(reason)")
                    case .input(let start):
                        summary.inputs += 1
                        write(start, into: batch)
                        if pending.count >= Self.maxGroupInputs
                            || Date().timeIntervalSince(groupStarted) >= Self.maxGroupSeconds
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

    /// The reader found the input stored already: what was written of it goes, without a failure.
    private struct InputRetracted: Error {}

    /// Stores one input from its events, or none of it.
    private func write(_ start: InputStart, into batch: ImportBatch) {
        var sawEnd = false
        let groupOpen = batch.inTransaction
        do {
            if !batch.inTransaction {
                try batch.begin()
                groupStarted = Date()
            }
            let now = Int64(clock().timeIntervalSince1970)
            let result: InputImport<[ImportItem]>
            if let id = start.storedInputID {
                result = .imported(
                    try batch.reimportInput(id: id, importedAt: now) { session in
                        try consume(into: session, input: start, sawEnd: &sawEnd)
                    })
            } else {
                let chunks = {
                    try start.bytes.map { OriginalChunks(bytes: $0) }
                        ?? OriginalChunks(path: start.file, size: start.size)
                }
                let original = try PrefetchedOriginal.source(for: chunks, again: chunks)
                result = try batch.importInput(
                    name: start.name, sha256: start.sha256, original: original, importedAt: now,
                    digest: start.digest
                ) { session in
                    try consume(into: session, input: start, sawEnd: &sawEnd)
                }
            }
            if !sawEnd { skipToEndOfInput() }
            settle(result, of: start)
        } catch is InputRetracted {
            // A `.known` event with the input's items follows, and counts it.
            summary.inputs -= 1
        } catch let error as StoreError where !error.concernsDatabase && batch.inTransaction {
            // SQLite refused something of this input's own (its savepoint is rolled back): the input is
            // kept with that reason, like any input that cannot be used, and the batch goes on.
            if !sawEnd { skipToEndOfInput() }
            keep(start, because: "not stored: \(error.message)", into: batch)
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

    private func settle(_ result: InputImport<[ImportItem]>, of start: InputStart) {
        switch result {
        case .imported(let items):
            pending.append((start.path, items, start.maildirNew ? start.path : nil))
        case .alreadyImported(let items):
            // Found stored in the transaction (the reader's early check had not seen it).
            pending.append((start.path, start.reported(items), start.maildirNew ? start.path : nil))
        }
    }

    /// Keeps an input whose reports could not be stored, as one rejected item with `reason`; when even
    /// that fails, the input is a failure (not acknowledged).
    private func keep(_ start: InputStart, because reason: String, into batch: ImportBatch) {
        do {
            let chunks = {
                try start.bytes.map { OriginalChunks(bytes: $0) } ?? OriginalChunks(path: start.file, size: start.size)
            }
            let original = try PrefetchedOriginal.source(for: chunks, again: chunks)
            let item = ImportItem(input: start.path, part: start.members.first, outcome: .rejected, reason: reason)
            let result = try batch.importInput(
                name: start.name, sha256: start.sha256, original: original,
                importedAt: Int64(clock().timeIntervalSince1970), digest: start.digest
            ) { session in
                try session.addItem(part: nil, outcome: .rejected, kind: nil, reason: reason)
                return [item]
            }
            settle(result, of: start)
        } catch {
            let temporary = (error as? StoreError)?.isTemporary ?? false
            fail([start.path], because: "\(reason); cannot keep it either: \(error)", temporary: temporary)
        }
    }

    /// Commits the open group and reports its items; if the commit fails, its inputs are failures.
    private func commit(_ batch: ImportBatch) {
        do {
            try batch.commit()
            for (_, items, maildirNew) in pending {
                emit(items)
                markSeen(maildirNew)
            }
        } catch {
            batch.rollback()
            let temporary = (error as? StoreError)?.isTemporary ?? false
            fail(pending.map(\.path), because: "not stored: \(error)", temporary: temporary)
        }
        pending = []
    }

    /// Moves a Maildir message from `new/` to `cur/` with the seen flag (`:2,S`), once its outcome is
    /// committed. A message that cannot be moved stays in `new/` (and is a duplicate next time).
    private func markSeen(_ path: String?) {
        guard markMaildirSeen, let path else { return }
        let name = (path as NSString).lastPathComponent
        let maildir = ((path as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        var seenName = name
        if let info = name.range(of: ":2,") {
            let flags = Set(name[info.upperBound...])
            if !flags.contains("S") {
                seenName = String(name[..<info.upperBound]) + String((flags.union(["S"])).sorted())
            }
        } else {
            seenName += ":2,S"
        }
        let target = ((maildir as NSString).appendingPathComponent("cur") as NSString).appendingPathComponent(seenName)
        if !SystemPath.rename(path, to: target) {
            summary.failures.append("\(path): stored, but could not be moved to cur/ (errno \(errno))")
        }
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
    private func consume(into session: InputSession, input start: InputStart, sawEnd: inout Bool) throws -> [ImportItem]
    {
        let input = start.path
        /// Parts are stored relative to the input (an mbox message's items without "message 3 › ").
        func stored(_ part: String?) -> String? { start.storedPart(part) }
        var items: [ImportItem] = []
        var report: ReportWriter?
        while true {
            switch channel.receive() {
            case .message(let info, let part):
                try session.addMessage(info, part: stored(part))
            case .beginReport(let part):
                report = try session.beginReport(part: stored(part))
            case .records(let records):
                guard let report else { continue }
                // Borrowed in place: copying each record would retain and release its arrays and strings.
                try records.withUnsafeBufferPointer { batch in
                    for index in batch.indices { try report.add(batch[index]) }
                }
                try session.storeReadyOriginalChunks()
            case .commitReport(let payload):
                guard let writer = report else { continue }
                report = nil
                let commit = try writer.commit(
                    header: payload.header, records: payload.records, messages: payload.messages,
                    payloadSHA256: payload.payloadSHA256, diagnostics: payload.diagnostics)
                items.append(Self.item(for: payload, input: input, commit: commit))
            case .commitTLSReport(let payload):
                let commit = try session.storeTLSReport(
                    payload.report, part: stored(payload.part), payloadSHA256: payload.payloadSHA256,
                    diagnostics: payload.diagnostics)
                items.append(Self.item(for: payload, input: input, commit: commit))
            case .discardReport(let item, let diagnostics):
                try report?.discard()
                report = nil
                try session.addItem(
                    part: stored(item.part), outcome: .rejected, kind: item.kind, reason: item.reason,
                    diagnostics: diagnostics)
                items.append(item)
            case .item(let item, let diagnostics):
                try session.addItem(
                    part: stored(item.part), outcome: item.outcome, kind: item.kind, reason: item.reason,
                    diagnostics: diagnostics)
                items.append(item)
            case .endInput:
                sawEnd = true
                return items
            case .abortInput(let message):
                sawEnd = true
                throw InputAborted(message: message)
            case .retractInput:
                sawEnd = true
                throw InputRetracted()
            case .input, .known, .failed, .finished, .discovered, .passedOver:
                // The reader always closes an input before the next; never reached.
                sawEnd = true
                throw InputAborted(message: "import events out of order")
            }
        }
    }

    private func skipToEndOfInput() {
        while true {
            switch channel.receive() {
            case .endInput, .abortInput, .retractInput: return
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
        onProgress?(summary)
    }

    /// Called with the running totals after each input is reported.
    var onProgress: ((ImportSummary) -> Void)?

    static func item(for payload: ParsedTLSPayload, input: String, commit: ReportCommit) -> ImportItem {
        let report = payload.report
        var item = ImportItem(
            input: input, part: payload.part, outcome: .stored, kind: .tlsrpt, orgName: report.organizationName,
            reportID: report.reportID, begin: report.begin, end: report.end,
            diagnostics: payload.diagnostics.map(\.description))
        item.policyDomains = report.policyDomains
        item.policies = report.policies.count
        item.successfulSessions = report.successfulSessions
        item.failedSessions = report.failedSessions
        switch commit {
        case .stored:
            break
        case .duplicate(let existing):
            item.outcome = .duplicate
            item.reason = "report already stored (TLS #\(existing))"
            item.diagnostics = []
        case .variant(_, let original):
            item.reason = "same identity as TLS report #\(original) with different content: kept, not counted"
        }
        return item
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
