import GRDB
import ReportModel

extension ReportDatabase {
    /// Per policy domain with a DMARC report beginning in `start..<end`: on how many days one began, the
    /// first and last of them, and the latest end among them.
    public func reportCadence(start: Int64, end: Int64, domain: String?) throws -> [ReportCadence] {
        try read { db in
            var sql = """
                SELECT policy_domain, COUNT(DISTINCT begin_utc / 86400) AS days, MIN(begin_utc) / 86400 AS first_day,
                    MAX(begin_utc) / 86400 AS last_day, MAX(end_utc) AS last_end
                FROM report WHERE begin_utc >= ? AND begin_utc < ?
                """
            var arguments: SQLArguments = [start, end]
            if let domain {
                sql += " AND policy_domain = ?"
                arguments += [domain]
            }
            sql += " GROUP BY policy_domain ORDER BY policy_domain"
            return try db.rows(sql, arguments).map {
                ReportCadence(
                    policyDomain: $0["policy_domain"], reportDays: $0["days"], firstDay: $0["first_day"],
                    lastDay: $0["last_day"], lastEnd: $0["last_end"])
            }
        }
    }

    /// Compares `alerts` with the open ones remembered (of `domain` only, when given): returns those not
    /// open before (new), those still open, and those open before but not found now (resolved). With
    /// `record`, the comparison is stored in one transaction: new ones opened, ongoing ones seen, resolved
    /// ones cleared; without it, nothing is written.
    public func compareAlerts(
        _ alerts: [Alert], now: Int64, domain: String?, record: Bool
    ) throws -> (
        new: [Alert], ongoing: [StoredAlert], resolved: [StoredAlert]
    ) {
        func compare(_ db: any SQLConnection) throws -> ([Alert], [StoredAlert], [StoredAlert]) {
            var sql = "SELECT * FROM alert WHERE cleared_at IS NULL"
            var arguments: SQLArguments = []
            if let domain {
                sql += " AND policy_domain = ?"
                arguments += [domain]
            }
            var open: [String: StoredAlert] = [:]
            for row in try db.rows(sql + " ORDER BY first_alerted, key", arguments) {
                open[row["key"]] = StoredAlert(
                    code: row["code"], policyDomain: row["policy_domain"], subject: row["subject"], text: row["text"],
                    firstAlerted: row["first_alerted"], lastSeen: row["last_seen"])
            }
            var seen = Set<String>()
            var new: [Alert] = []
            var ongoing: [StoredAlert] = []
            for alert in alerts where seen.insert(alert.key).inserted {
                if var stored = open[alert.key] {
                    stored.lastSeen = now
                    ongoing.append(stored)
                } else {
                    new.append(alert)
                }
            }
            let resolved = open.filter { !seen.contains($0.key) }.values.sorted {
                ($0.firstAlerted, $0.policyDomain, $0.code) < ($1.firstAlerted, $1.policyDomain, $1.code)
            }
            guard record else { return (new, ongoing, resolved) }
            for alert in new {
                try db.execute(
                    """
                    INSERT INTO alert (key, code, policy_domain, subject, text, first_alerted, last_seen)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (key) DO UPDATE SET text = excluded.text, first_alerted = excluded.first_alerted,
                        last_seen = excluded.last_seen, cleared_at = NULL
                    """,
                    [alert.key, alert.code, alert.policyDomain, alert.subject, alert.text, now, now])
            }
            for alert in alerts where open[alert.key] != nil {
                try db.execute(
                    "UPDATE alert SET last_seen = ?, text = ? WHERE key = ?",
                    [now, alert.text, alert.key])
            }
            for (key, _) in open where !seen.contains(key) {
                try db.execute("UPDATE alert SET cleared_at = ? WHERE key = ?", [now, key])
            }
            return (new, ongoing, resolved)
        }
        do {
            return record ? try write(compare) : try read(compare)
        } catch {
            throw Self.storeError(error, doing: "remember the alerts", path: path)
        }
    }
}
