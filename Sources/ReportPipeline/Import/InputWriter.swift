import Foundation
import ReportIngest
import ReportModel
import ReportStore
import WorkQueues

/// The writing side of an import, on the calling thread: the only code that writes to the database,
/// and the one place that decides whether an input is stored already (in its transaction). Inputs are
/// grouped into transactions (each input in a savepoint, each report in a savepoint inside it); a group
/// is committed after ``maxGroupInputs`` inputs, once it is ``maxGroupSeconds`` old, or when the reader
/// has sent nothing for the rest of that time (so the write lock is never held idle for long). Items are
/// reported, and inputs acknowledged, only once their transaction has committed.
final class InputWriter {
    private let database: ReportDatabase
    private let jobs: BoundedQueue<Job>
    private let clock: () -> Date
    private let onItem: (ImportItem) -> Void
    private(set) var summary = ImportSummary()
    /// Inputs of the open transaction, with their items: reported and acknowledged when it commits.
    private var pending: [(input: ImportInput, items: [ImportItem])] = []
    private var groupStarted = Date.distantPast

    static let maxGroupInputs = 500
    static let maxGroupSeconds = 0.25

    init(
        database: ReportDatabase, jobs: BoundedQueue<Job>, clock: @escaping () -> Date,
        onItem: @escaping (ImportItem) -> Void
    ) {
        self.database = database
        self.jobs = jobs
        self.clock = clock
        self.onItem = onItem
    }

    /// Takes jobs until the reader has ended the queue.
    func run() {
        do {
            try database.withImportBatch { batch in
                while true {
                    let deadline = batch.inTransaction ? groupStarted.addingTimeInterval(Self.maxGroupSeconds) : nil
                    switch jobs.receive(until: deadline) {
                    case .ended:
                        commit(batch)
                        return
                    case .timedOut:
                        commit(batch)
                    case .element(.note(let note)):
                        record(note)
                    case .element(.input(let job)):
                        summary.inputs += 1
                        write(job, into: batch)
                        if pending.count >= Self.maxGroupInputs
                            || Date().timeIntervalSince(groupStarted) >= Self.maxGroupSeconds
                        {
                            commit(batch)
                        }
                    }
                }
            }
        } catch {
            // The write connection itself could not be had: every input waiting is lost to this run.
            fail(
                pending.map(\.input.name), because: "\(error)", temporary: (error as? StoreError)?.isTemporary ?? false)
            jobs.close()
        }
    }

    private func record(_ note: SourceEvent) {
        switch note {
        case .unreadable(let name, let reason): summary.failures.append("\(name): \(reason)")
        case .passedOver(let name, let reason): summary.passedOver.append("\(name): \(reason)")
        case .found(let count): summary.filesFound += count
        case .input: break
        }
    }

    /// Reading the input failed: nothing of it may be kept.
    private struct InputUnreadable: Error {
        var message: String
    }

    /// The reader found the input stored before this run once its digest was known: what was written of
    /// it goes, and these are its items.
    private struct StoredBefore: Error {
        var items: [ImportItem]
    }

    /// Stores one input from its job, or none of it.
    private func write(_ job: InputJob, into batch: ImportBatch) {
        // Whatever happens, the reader must not wait on parts nobody takes.
        defer { job.parts.close() }
        if let items = job.storedItems {
            settle(job.input, items: items, batch: batch)
            return
        }
        // SQLite has one writer at a time: no deadlock to lose, nothing to keep.
        let parts = KeptParts(job.parts, limit: database.engine == .postgresql ? Self.keptRecords : 0)
        for attempt in 1...Self.attempts {
            if write(job, parts: parts, into: batch, lastAttempt: attempt == Self.attempts) { return }
            // Lost a deadlock to another importer storing some of the same reports: the input is rolled back,
            // the group before it committed (what the other importer waits for), and the input written again.
            commit(batch)
            parts.rewind()
            Thread.sleep(forTimeInterval: 0.01 * Double(attempt))
        }
    }

    /// Importers that lose a deadlock write the input again this many times in all.
    static let attempts = 4
    /// An input is kept for writing again when its parts hold up to this many records.
    static let keptRecords = 20_000

    /// One attempt at storing an input; false when it lost a deadlock and can be written again.
    private func write(_ job: InputJob, parts: KeptParts, into batch: ImportBatch, lastAttempt: Bool) -> Bool {
        let groupOpen = batch.inTransaction
        do {
            if !batch.inTransaction {
                try batch.begin()
                groupStarted = Date()
            }
            let now = Int64(clock().timeIntervalSince1970)
            let result: InputImport<[ImportItem]>
            if let id = job.input.keptInputID {
                result = .imported(
                    try batch.reimportInput(id: id, importedAt: now) { try store(job, parts: parts, into: $0) })
            } else {
                result = try batch.importInput(
                    name: job.storedName, sha256: job.content.sha256, original: job.content.original,
                    importedAt: now, digest: job.content.digest
                ) { try store(job, parts: parts, into: $0) }
            }
            switch result {
            case .imported(let items):
                settle(job.input, items: items, batch: batch)
            case .alreadyImported(let items):
                // Found stored in the transaction (the reader's early look-up had not seen it).
                settle(job.input, items: job.input.reported(items), batch: batch)
            }
        } catch let stored as StoredBefore {
            settle(job.input, items: stored.items, batch: batch)
        } catch let error as StoreError
            where error.lostConflict && !lastAttempt && parts.canRewind && batch.inTransaction
        {
            return false
        } catch let error as StoreError where !error.concernsDatabase && batch.inTransaction {
            // SQLite refused something of this input's own (its savepoint is rolled back): the input is
            // kept with that reason, like any input that cannot be used, and the batch goes on.
            keep(job, because: "not stored: \(error.message)", into: batch)
        } catch {
            let temporary = (error as? StoreError)?.isTemporary ?? false
            let message = (error as? StoreError)?.message ?? (error as? InputUnreadable)?.message ?? "\(error)"
            fail([job.input.name], because: message, temporary: temporary)
            if groupOpen && !batch.inTransaction {
                // SQLite rolled the whole transaction back (disk full, I/O error): the group is lost too.
                fail(pending.map(\.input.name), because: "not stored: \(message)", temporary: temporary)
                pending = []
            }
        }
        return true
    }

    /// An input's outcome, reported and acknowledged once the open transaction commits (at once when none
    /// is open: a stored input found by the reader needs no write).
    private func settle(_ input: ImportInput, items: [ImportItem], batch: ImportBatch) {
        if batch.inTransaction {
            pending.append((input, items))
        } else {
            emit(items)
            acknowledge(input, items: items)
        }
    }

    /// Keeps an input whose reports could not be stored, as one rejected item with `reason`; when even
    /// that fails, the input is a failure (not acknowledged).
    private func keep(_ job: InputJob, because reason: String, into batch: ImportBatch) {
        do {
            let item = ImportItem(
                input: job.input.name, part: job.input.members.first, outcome: .rejected, reason: reason)
            let result = try batch.importInput(
                name: job.storedName, sha256: job.content.sha256, original: job.content.original,
                importedAt: Int64(clock().timeIntervalSince1970), digest: job.content.digest
            ) { session in
                try session.addItem(part: nil, outcome: .rejected, kind: nil, reason: reason)
                return [item]
            }
            switch result {
            case .imported(let items): settle(job.input, items: items, batch: batch)
            case .alreadyImported(let items): settle(job.input, items: job.input.reported(items), batch: batch)
            }
        } catch {
            let temporary = (error as? StoreError)?.isTemporary ?? false
            fail([job.input.name], because: "\(reason); cannot keep it either: \(error)", temporary: temporary)
        }
    }

    /// Commits the open group, then reports its items and acknowledges its inputs; if the commit fails,
    /// its inputs are failures (and stay unacknowledged).
    private func commit(_ batch: ImportBatch) {
        do {
            try batch.commit()
            for (input, items) in pending {
                emit(items)
                acknowledge(input, items: items)
            }
        } catch {
            batch.rollback()
            let temporary = (error as? StoreError)?.isTemporary ?? false
            fail(pending.map(\.input.name), because: "not stored: \(error)", temporary: temporary)
        }
        pending = []
    }

    private func acknowledge(_ input: ImportInput, items: [ImportItem]) {
        do {
            try input.acknowledge?(items)
        } catch {
            summary.failures.append("\(input.name): stored, but \(error)")
        }
    }

    private func fail(_ names: [String], because message: String, temporary: Bool) {
        for name in names { summary.failures.append("\(name): \(message)") }
        summary.temporaryFailure = summary.temporaryFailure || (temporary && !names.isEmpty)
    }

    /// Applies one input's parts inside its transaction; returns its items.
    private func store(_ job: InputJob, parts: KeptParts, into session: InputSession) throws -> [ImportItem] {
        let input = job.input.name
        var items: [ImportItem] = []
        var report: ReportWriter?
        var records = 0
        var nextProgress = Self.progressRecords
        while let part = parts.next() {
            switch part {
            case .message(let info, let part):
                try session.addMessage(info, part: job.storedPart(part))
            case .reportBegins(let part):
                report = try session.beginReport(part: job.storedPart(part))
            case .records(let batch, let reportedEnd):
                guard let report else { continue }
                report.reportedEnd = report.reportedEnd ?? reportedEnd
                // Borrowed in place: copying each record would retain and release its arrays and strings.
                try batch.withUnsafeBufferPointer { batch in
                    for index in batch.indices { try report.add(batch[index]) }
                }
                try session.storeReadyOriginalChunks()
                records += batch.count
                if records >= nextProgress, let onProgress {
                    nextProgress = records + Self.progressRecords
                    let read = job.content.bytes.map { Int64($0.count) } ?? Int64(job.bytesRead.current)
                    onProgress(
                        ImportProgress(
                            summary: summary,
                            current: .init(
                                name: job.storedName, size: job.content.size, bytesRead: read, records: records)))
                }
            case .reportParsed(let payload):
                guard let writer = report else { continue }
                report = nil
                let commit = try writer.commit(
                    header: payload.header, records: payload.records, messages: payload.messages,
                    payloadSHA256: payload.payloadSHA256, diagnostics: payload.diagnostics)
                items.append(Self.item(for: payload, input: input, commit: commit))
            case .tlsReport(let payload):
                let commit = try session.storeTLSReport(
                    payload.report, part: job.storedPart(payload.part), payloadSHA256: payload.payloadSHA256,
                    diagnostics: payload.diagnostics)
                items.append(Self.item(for: payload, input: input, commit: commit))
            case .reportRejected(let item, let diagnostics):
                try report?.discard()
                report = nil
                try session.addItem(
                    part: job.storedPart(item.part), outcome: .rejected, kind: item.kind, reason: item.reason,
                    diagnostics: diagnostics)
                items.append(item)
            case .item(let item, let diagnostics):
                try session.addItem(
                    part: job.storedPart(item.part), outcome: item.outcome, kind: item.kind, reason: item.reason,
                    diagnostics: diagnostics)
                items.append(item)
            }
        }
        switch job.ending.wait() {
        case .complete: return items
        case .unreadable(let message): throw InputUnreadable(message: message)
        case .storedAlready(let items): throw StoredBefore(items: items)
        }
    }

    private func emit(_ items: [ImportItem]) {
        for item in items {
            summary.count(item)
            onItem(item)
        }
        onProgress?(ImportProgress(summary: summary))
    }

    /// Called with the running totals after each input is reported, and every ``progressRecords``
    /// records while a large report is written.
    var onProgress: ((ImportProgress) -> Void)?

    static let progressRecords = 16_384

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

/// An input's parts as the reader sends them, kept (while they hold no more than `limit` records) so that
/// the input can be written again.
final class KeptParts {
    private let queue: BoundedQueue<InputPart>
    private let limit: Int
    private var kept: [InputPart] = []
    private var weight = 0
    private var overflowed = false
    private var ended = false
    /// Where a rewound input is read from (`nil` while reading the queue).
    private var position: Int?

    init(_ queue: BoundedQueue<InputPart>, limit: Int) {
        self.queue = queue
        self.limit = limit
    }

    /// Whether the input can be read again from the start.
    var canRewind: Bool { !overflowed }

    func next() -> InputPart? {
        if let index = position {
            if index < kept.count {
                position = index + 1
                return kept[index]
            }
            if ended { return nil }
            position = nil
        }
        guard let part = queue.receive() else {
            ended = true
            return nil
        }
        if !overflowed {
            weight += part.weight
            if weight > limit {
                overflowed = true
                kept = []
            } else {
                kept.append(part)
            }
        }
        return part
    }

    /// Reads the input again from its first part (what was not read yet follows from the queue).
    func rewind() {
        precondition(canRewind, "the input's parts were not kept")
        position = 0
    }
}

extension StoreError {
    /// PostgreSQL chose this statement's transaction to break a deadlock (or a serialization conflict):
    /// the work is sound and may be done again.
    var lostConflict: Bool { sqlState == "40P01" || sqlState == "40001" }
}
