import GRDB
import ReportModel

/// How long a reverse DNS answer is kept.
public struct ReverseDNSLifetimes: Sendable {
    public var name: Int64 = 7 * 86_400
    public var noPTR: Int64 = 86_400
    public var failure: Int64 = 3_600

    public init() {}

    func seconds(for lookup: ReverseLookup) -> Int64 {
        switch lookup {
        case .name: name
        case .noPTR: noPTR
        case .failure: failure
        }
    }
}

extension ReportDatabase {
    /// The cached reverse DNS answers for `addresses` that have not expired at `now`.
    public func cachedReverseDNS(_ addresses: [String], now: Int64) throws -> [String: ReverseLookup] {
        try read { db in
            var found: [String: ReverseLookup] = [:]
            for address in addresses {
                guard
                    let row = try db.row(
                        "SELECT outcome, name, confirmed, detail FROM reverse_dns WHERE address = ? AND expires_at > ?",
                        [address, now])
                else { continue }
                switch row[0] as String {
                case "name": found[address] = .name(row[1] ?? "", confirmed: (row[2] as Int?) == 1)
                case "none": found[address] = .noPTR
                default: found[address] = .failure(row[3] ?? "")
                }
            }
            return found
        }
    }

    /// Keeps reverse DNS answers looked up at `now`, each for its lifetime.
    public func storeReverseDNS(
        _ answers: [String: ReverseLookup], now: Int64, lifetimes: ReverseDNSLifetimes = ReverseDNSLifetimes()
    ) throws {
        guard !answers.isEmpty else { return }
        do {
            try write { db in
                let sql = """
                    INSERT INTO reverse_dns (address, outcome, name, confirmed, detail, looked_up_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (address) DO UPDATE SET outcome = excluded.outcome, name = excluded.name,
                        confirmed = excluded.confirmed, detail = excluded.detail, looked_up_at = excluded.looked_up_at,
                        expires_at = excluded.expires_at
                    """
                for (address, answer) in answers.sorted(by: { $0.key < $1.key }) {
                    let expires = now + lifetimes.seconds(for: answer)
                    switch answer {
                    case .name(let name, let confirmed):
                        try db.execute(sql, [address, "name", name, confirmed, nil, now, expires])
                    case .noPTR:
                        try db.execute(sql, [address, "none", nil, nil, nil, now, expires])
                    case .failure(let reason):
                        try db.execute(sql, [address, "failure", nil, nil, reason, now, expires])
                    }
                }
            }
        } catch {
            throw Self.storeError(error, doing: "store reverse DNS answers")
        }
    }

    /// Per source address over the counted reports `filter` selects, most messages first: messages, DMARC
    /// pass, DKIM and SPF aligned, the policy domains and header_from domains it sent as.
    public func sourceTotals(_ filter: ReportFilter, limit: Int = Int.max) throws -> [SourceTotals] {
        var sources: [SourceTotals] = []
        try forEachSource(filter, perPolicyDomain: false, limit: limit) { sources.append($0) }
        return sources
    }

    /// The same totals streamed, per source address or (`perPolicyDomain`) per policy domain and source.
    public func forEachSource(
        _ filter: ReportFilter, perPolicyDomain: Bool, limit: Int = Int.max, _ body: (SourceTotals) throws -> Void
    ) throws {
        try read { db in
            let (condition, arguments) = Self.condition(filter, begin: "s.begin_utc", domain: "s.policy_domain = ?")
            let key = perPolicyDomain ? "s.policy_domain, s.source_ip" : "s.source_ip"
            let sql = """
                SELECT s.source_ip, TOTAL(s.messages) AS messages, TOTAL(s.dmarc_pass), TOTAL(s.dkim_aligned),
                       TOTAL(s.spf_aligned), GROUP_CONCAT(DISTINCT s.policy_domain),
                       GROUP_CONCAT(DISTINCT s.header_from), MIN(s.begin_utc), MAX(s.begin_utc)
                FROM source_rollup s WHERE \(condition)
                GROUP BY \(key)
                ORDER BY messages DESC, \(key)
                LIMIT ?
                """
            try db.forEachRow(sql, arguments + [Int64(min(limit, Int(Int64.max)))]) { row in
                var totals = MessageTotals()
                totals.messages = row[1]
                totals.dmarcPass = row[2]
                totals.dkimAligned = row[3]
                totals.spfAligned = row[4]
                try body(
                    SourceTotals(
                        sourceIP: row[0] as String? ?? "", totals: totals, policyDomains: Self.list(row[5]),
                        headerFrom: Self.list(row[6]), firstBegin: row[7], lastBegin: row[8]))
            }
        }
    }

    /// For each of `addresses`, the domains that passed DKIM (d=) and SPF for its mail in the counted
    /// reports `filter` selects, most messages first. Only the reports where these sources appear are
    /// read (found through the source rollup), and CROSS JOIN with the unary `+` keeps SQLite's planner on
    /// that path: those reports, their records by id range, their results by id range.
    /// - Parameter policyDomains: when given, only the reports of each address's policy domain there
    ///   (the digest knows them), which reads far fewer reports for an address seen across many domains.
    public func passingAuthDomains(
        _ filter: ReportFilter, addresses: [String], policyDomains: [String: String]? = nil
    ) throws -> [String: (dkim: [String], spf: [String])] {
        guard !addresses.isEmpty else { return [:] }
        return try read { db in
            var (condition, arguments) = Self.condition(
                filter, begin: "s.begin_utc", domain: "s.policy_domain = ?")
            let wanted = Set(addresses).sorted()
            let placeholders = Array(repeating: "?", count: wanted.count).joined(separator: ",")
            if let policyDomains {
                let pairs = wanted.compactMap { address in policyDomains[address].map { ($0, address) } }
                condition +=
                    " AND (s.policy_domain, s.source_ip) IN (VALUES "
                    + Array(repeating: "(?, ?)", count: pairs.count).joined(separator: ", ") + ")"
                for (domain, address) in pairs { arguments += [domain, address] }
            }
            // The counted reports of the periods and domains where these sources appear, and their records
            // from these sources.
            // SQLite's unary + keeps its planner off the indexes here; PostgreSQL plans by statistics.
            let plus = db.engine == .sqlite ? "+" : ""
            // SQLite's CROSS JOIN fixes the join order; PostgreSQL's takes no ON and plans the order itself.
            let join = db.engine == .sqlite ? "CROSS JOIN" : "JOIN"
            let records = """
                (SELECT DISTINCT s.begin_utc, s.policy_domain FROM source_rollup s
                 WHERE \(condition) AND s.source_ip IN (\(placeholders))) spots
                \(join) report r ON r.policy_domain = spots.policy_domain AND r.begin_utc = spots.begin_utc
                \(join) record c ON \(Self.recordsOf("r", "c", db.engine))
                """
            let recordConditions = "\(plus)r.counted = 1 AND \(plus)c.source_ip IN (\(placeholders))"
            let allArguments = arguments + SQLArguments(wanted) + SQLArguments(wanted)
            var result: [String: (dkim: [String], spf: [String])] = [:]
            for (kind, bit) in [("dkim", 1), ("spf", 2)] {
                // A record's first result is in its row (`inline_auth`), any further ones in the extra table.
                var messages: [String: [String: Int64]] = [:]
                for sql in [
                    """
                    SELECT c.source_ip, LOWER(c.\(kind)1_domain), CAST(TOTAL(c.count) AS BIGINT) FROM \(records)
                    WHERE \(recordConditions) AND (\(plus)c.inline_auth & \(bit)) <> 0
                      AND \(plus)c.\(kind)1_result = 'pass' AND \(plus)c.\(kind)1_domain IS NOT NULL
                    GROUP BY 1, 2
                    """,
                    """
                    SELECT c.source_ip, LOWER(a.domain), CAST(TOTAL(c.count) AS BIGINT) FROM \(records)
                    \(join) \(kind)_result_extra a ON a.id BETWEEN c.id << 16 AND (c.id << 16) | 65535
                    WHERE \(recordConditions) AND \(plus)a.result = 'pass' AND \(plus)a.domain IS NOT NULL
                    GROUP BY 1, 2
                    """,
                ] {
                    try db.forEachRow(sql, allArguments) { row in
                        messages[row[0], default: [:]][row[1], default: 0] =
                            (messages[row[0]]?[row[1]] ?? 0).saturatingAdd(row[2] as Int64)
                    }
                }
                for (address, domains) in messages {
                    // Most messages first; the name breaks ties.
                    let ranked = domains.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
                    var entry = result[address] ?? ([], [])
                    if kind == "dkim" { entry.dkim = ranked } else { entry.spf = ranked }
                    result[address] = entry
                }
            }
            return result
        }
    }
}
