import DomainAlignment
import GRDB
import ReportModel

/// Adds up one report's rollups while its records are stored, so that committing a report of a million
/// records writes a few thousand rollup rows instead of reading its records back.
///
/// A record's verdict depends on the policy's `adkim` and `aspf`, which a report may state after its
/// records; so every count is kept under all four combinations of modes (lane `dkimStrict + 2 ×
/// spfStrict`), and the report's own is picked at ``write(report:adkim:aspf:begin:policyDomain:_:)``.
/// The verdict itself is ``RecordVerdict``'s, looked up in a table built from it.
///
/// Memory stays bounded: past ``spillThreshold`` distinct sources, the per-source counts are written
/// to a temporary file as a sorted run (``SourceSpill``) and the in-memory ones start afresh.
final class RollupAccumulator {
    /// One source's counts (a source is a sending IP and header_from), per mode combination.
    struct SourceCounts {
        var dmarcPass = SIMD4<Int64>()
        /// DKIM aligned under relaxed, strict (SPF likewise).
        var dkimAligned = SIMD2<Int64>()
        var spfAligned = SIMD2<Int64>()
        var messages: Int64 = 0
    }

    /// The report's totals.
    struct ReportCounts {
        var messages: Int64 = 0
        /// Messages per verdict, per mode combination.
        var verdicts = VerdictCounts()
        /// Records whose reported verdict the auth results contradict, per mode combination.
        var disagreeingRecords = SIMD4<Int64>()
        var quarantine: Int64 = 0
        var reject: Int64 = 0
    }

    struct SourceKey: Hashable {
        var sourceIP: String
        var headerFrom: String
    }

    static let defaultSpillThreshold = 16_384

    private let spillThreshold: Int
    private var sources: [SourceKey: SourceCounts] = [:]
    private var report = ReportCounts()
    private var spill: SourceSpill?

    init(spillThreshold: Int = RollupAccumulator.defaultSpillThreshold) {
        self.spillThreshold = spillThreshold
    }

    /// Counts one stored record, whose recomputed alignment is `facts`.
    func add(_ record: ReportRecord, facts: AlignmentFacts) throws {
        let outcome = VerdictTable.shared.outcome(dkim: record.dkim, spf: record.spf, facts: facts)
        let count = record.count
        report.messages &+= count
        report.verdicts.add(outcome, times: count)
        report.disagreeingRecords &+= outcome.unsupportedPass | outcome.contradictingFail
        switch record.disposition?.word {
        case .quarantine?: report.quarantine &+= count
        case .reject?: report.reject &+= count
        default: break
        }

        let key = SourceKey(sourceIP: record.sourceIP, headerFrom: Self.asciiLowercased(record.headerFrom ?? ""))
        sources[key, default: SourceCounts()].add(outcome, times: count)
        if sources.count >= spillThreshold { try spillSources() }
    }

    /// Writes the report's rollup and adds its sources to the rollup of its begin and policy domain,
    /// under the report's own alignment modes.
    func write(
        report id: Int64, adkim: AlignmentMode?, aspf: AlignmentMode?, begin: Int64, policyDomain: String,
        _ statements: RollupStatements
    ) throws {
        let dkimMode = adkim == .strict ? 1 : 0
        let spfMode = aspf == .strict ? 1 : 0
        let mode = dkimMode + 2 * spfMode
        let r = report
        let insert = statements.insertReportRollup
        for (index, value) in [
            id, r.messages, r.verdicts.dmarcPass[mode], r.verdicts.dkimAligned[dkimMode],
            r.verdicts.spfAligned[spfMode], r.verdicts.computedPass[mode], r.verdicts.unsupportedPass[mode],
            r.verdicts.contradictingFail[mode], r.disagreeingRecords[mode], r.quarantine, r.reject,
        ].enumerated() {
            insert.bind(Int32(index + 1), value)
        }
        try insert.execute()
        var writer = SourceRollupWriter(statements, begin: begin, policyDomain: policyDomain)
        func store(_ key: SourceKey, _ counts: SourceCounts) throws {
            try writer.add(
                key,
                SIMD4(counts.messages, counts.dmarcPass[mode], counts.dkimAligned[dkimMode], counts.spfAligned[spfMode])
            )
        }
        if let spill {
            try spillSources()
            try spill.merged { try store($0.key, $0.counts) }
        } else if sources.count <= RollupStatements.batchSize {
            // One statement: the order of its rows makes no difference.
            for (key, counts) in sources { try store(key, counts) }
        } else {
            // In key order, as the table keeps them: many statements then add to neighbouring rows.
            let entries = sources.map { (key: $0.key, counts: $0.value) }
            for index in SourceSpill.keyOrder(entries) {
                try store(entries[index].key, entries[index].counts)
            }
        }
        try writer.finish()
    }

    /// Writes the in-memory source counts to the spill file as one run and forgets them.
    private func spillSources() throws {
        let spill = try self.spill ?? SourceSpill()
        self.spill = spill
        try spill.write(sources.map { ($0.key, $0.value) })
        sources.removeAll(keepingCapacity: true)
    }

    /// header_from as the rollup keys it: ASCII letters lowercased (as SQLite's `LOWER` does, which
    /// rollups written before used).
    static func asciiLowercased(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return text }
        return String(decoding: text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }
}

extension RollupAccumulator.SourceCounts {
    mutating func add(_ other: Self) {
        messages &+= other.messages
        dmarcPass &+= other.dmarcPass
        dkimAligned &+= other.dkimAligned
        spfAligned &+= other.spfAligned
    }

    fileprivate mutating func add(_ outcome: VerdictCounts, times count: Int64) {
        messages &+= count
        dmarcPass &+= outcome.dmarcPass &* count
        dkimAligned &+= outcome.dkimAligned &* count
        spfAligned &+= outcome.spfAligned &* count
    }
}

/// Messages (or, in ``VerdictTable``, 1 or 0) per verdict: a lane per mode combination, or per mode where
/// one identifier's alignment depends on its own mode only.
struct VerdictCounts: Sendable {
    var dmarcPass = SIMD4<Int64>()
    /// Under relaxed, strict `adkim`.
    var dkimAligned = SIMD2<Int64>()
    /// Under relaxed, strict `aspf`.
    var spfAligned = SIMD2<Int64>()
    var computedPass = SIMD4<Int64>()
    var unsupportedPass = SIMD4<Int64>()
    var contradictingFail = SIMD4<Int64>()

    /// Adds a record's verdict (lanes of 1 or 0), weighted by its message count.
    mutating func add(_ outcome: VerdictCounts, times count: Int64) {
        dmarcPass &+= outcome.dmarcPass &* count
        dkimAligned &+= outcome.dkimAligned &* count
        spfAligned &+= outcome.spfAligned &* count
        computedPass &+= outcome.computedPass &* count
        unsupportedPass &+= outcome.unsupportedPass &* count
        contradictingFail &+= outcome.contradictingFail &* count
    }
}

/// The statements that write rollups, prepared once per connection.
final class RollupStatements {
    let insertReportRollup: any PreparedSQL
    /// Statements that add up to ``batchSize`` source rows at once to the rows of other reports with the
    /// same begin, domain and source (`+` turns to floating point rather than failing should absurd
    /// counts overflow), by number of rows: a statement of many rows costs SQLite far less per row.
    private var addSourceRollups: [Int: any PreparedSQL] = [:]
    private let db: any SQLConnection
    static let batchSize = 64
    /// PostgreSQL: source rows wait here and go to the table when the batch commits, in key order (see
    /// ``PendingSourceRollups``); SQLite adds them at once.
    let pending: PendingSourceRollups?

    /// - Parameter reportRollup: PostgreSQL: the statement that holds report rollup rows until the group
    ///   commits (``DeferredRows``).
    init(_ db: any SQLConnection, reportRollup: (any PreparedSQL)? = nil) throws {
        self.db = db
        pending = db.engine == .postgresql ? PendingSourceRollups() : nil
        insertReportRollup = try reportRollup ?? db.prepare(Self.insertReportRollupSQL)
    }

    static let insertReportRollupSQL = """
        INSERT INTO report_rollup (report_id, messages, dmarc_pass, dkim_aligned, spf_aligned, computed_pass,
                                   unsupported_pass, contradicting_fail, disagreeing_records, quarantine, reject)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// The statement that adds `rows` source rows (1 to ``batchSize``), prepared when first wanted.
    func addSourceRollups(rows: Int) throws -> any PreparedSQL {
        if let statement = addSourceRollups[rows] { return statement }
        let statement = try db.prepare(Self.addSourceRollupsSQL(rows: rows))
        addSourceRollups[rows] = statement
        return statement
    }

    static func addSourceRollupsSQL(rows: Int) -> String {
        """
        INSERT INTO source_rollup (begin_utc, policy_domain, source_ip, header_from, messages, dmarc_pass,
                                   dkim_aligned, spf_aligned)
        VALUES \(Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?)", count: rows).joined(separator: ", "))
        \(addToSourceRollups)
        """
    }

    /// A source rollup row that is there already gets the new counts added.
    static let addToSourceRollups = """
        ON CONFLICT (begin_utc, policy_domain, source_ip, header_from)
        DO UPDATE SET messages = source_rollup.messages + excluded.messages,
                      dmarc_pass = source_rollup.dmarc_pass + excluded.dmarc_pass,
                      dkim_aligned = source_rollup.dkim_aligned + excluded.dkim_aligned,
                      spf_aligned = source_rollup.spf_aligned + excluded.spf_aligned
        """
}

/// Source rollup rows of one report on their way to the table, in statements of many rows. Each key
/// comes once (a statement may not update a row it inserted).
struct SourceRollupWriter {
    private let statements: RollupStatements
    private let begin: Int64
    private let policyDomain: String
    private var rows: [(RollupAccumulator.SourceKey, SIMD4<Int64>)] = []

    init(_ statements: RollupStatements, begin: Int64, policyDomain: String) {
        self.statements = statements
        self.begin = begin
        self.policyDomain = policyDomain
        rows.reserveCapacity(RollupStatements.batchSize)
    }

    /// Adds a source's messages, DMARC passes, DKIM and SPF aligned.
    mutating func add(_ key: RollupAccumulator.SourceKey, _ counts: SIMD4<Int64>) throws {
        if let pending = statements.pending {
            pending.add(begin: begin, policyDomain: policyDomain, key, counts)
            return
        }
        rows.append((key, counts))
        if rows.count == RollupStatements.batchSize { try finish() }
    }

    /// Writes the rows still waiting.
    mutating func finish() throws {
        guard !rows.isEmpty else { return }
        try execute(try statements.addSourceRollups(rows: rows.count), rows[...])
        rows.removeAll(keepingCapacity: true)
    }

    private func execute(
        _ statement: any PreparedSQL, _ batch: ArraySlice<(RollupAccumulator.SourceKey, SIMD4<Int64>)>
    ) throws {
        for (offset, (key, counts)) in zip(0..., batch) {
            let first = Int32(offset * 8)
            statement.bind(first + 1, begin)
            statement.bind(first + 2, policyDomain)
            statement.bind(first + 3, key.sourceIP)
            statement.bind(first + 4, key.headerFrom)
            statement.bind(first + 5, counts[0])
            statement.bind(first + 6, counts[1])
            statement.bind(first + 7, counts[2])
            statement.bind(first + 8, counts[3])
        }
        try statement.execute()
    }
}

/// ``RecordVerdict`` for every kind of record, under every combination of modes. A record's verdict
/// depends only on whether its reported DKIM and SPF verdicts are `pass`, `fail` or anything else, and on
/// the four alignment bits of its facts: 3 × 3 × 16 kinds.
struct VerdictTable: Sendable {
    static let shared = VerdictTable()

    private static let alignmentBits: AlignmentFacts = [.dkimRelaxed, .dkimStrict, .spfRelaxed, .spfStrict]
    private let outcomes: [VerdictCounts]

    private init() {
        let reported: [Reported<DMARCResult>?] = [nil, .known(.pass), .known(.fail)]
        let modes: [AlignmentMode?] = [nil, .strict]
        var outcomes: [VerdictCounts] = []
        for dkim in reported {
            for spf in reported {
                for bits in 0..<Int64(16) {
                    let facts = AlignmentFacts(rawValue: bits)
                    var outcome = VerdictCounts()
                    for (dkimIndex, adkim) in modes.enumerated() {
                        for (spfIndex, aspf) in modes.enumerated() {
                            let verdict = RecordVerdict(
                                reportedDKIM: dkim, reportedSPF: spf, facts: facts, adkim: adkim, aspf: aspf)
                            let lane = dkimIndex + 2 * spfIndex
                            outcome.dmarcPass[lane] = verdict.dmarcPass ? 1 : 0
                            outcome.computedPass[lane] = verdict.computedDMARCPass ? 1 : 0
                            outcome.unsupportedPass[lane] = verdict.disagreement == .unsupportedPass ? 1 : 0
                            outcome.contradictingFail[lane] = verdict.disagreement == .contradictingFail ? 1 : 0
                            outcome.dkimAligned[dkimIndex] = verdict.dkimAligned ? 1 : 0
                            outcome.spfAligned[spfIndex] = verdict.spfAligned ? 1 : 0
                        }
                    }
                    outcomes.append(outcome)
                }
            }
        }
        self.outcomes = outcomes
    }

    func outcome(dkim: Reported<DMARCResult>?, spf: Reported<DMARCResult>?, facts: AlignmentFacts) -> VerdictCounts {
        outcomes[(Self.kind(dkim) * 3 + Self.kind(spf)) * 16 + Int(facts.intersection(Self.alignmentBits).rawValue)]
    }

    private static func kind(_ reported: Reported<DMARCResult>?) -> Int {
        switch reported?.word {
        case .pass?: 1
        case .fail?: 2
        default: 0
        }
    }
}
