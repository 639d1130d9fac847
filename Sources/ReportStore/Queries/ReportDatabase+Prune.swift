import Foundation
import GRDB
import ReportModel

extension ReportDatabase {
    /// Deletes what a retention period no longer needs, in short transactions (a batch of reports or
    /// originals each) so that imports go on meanwhile: the records of reports whose range ended before
    /// `cutoff` (their counts and the per-report and per-source rollups stay, so summaries and digests
    /// over any span still work), and the original bytes of inputs imported before it whose every report
    /// ended before it (their digest stays: the same file imported again is a duplicate). Inputs kept with
    /// a reason keep their originals (`rua quarantine delete` removes them).
    public func prune(before cutoff: Int64, records: Bool, originals: Bool, now: Int64) throws -> PruneResult {
        var result = PruneResult()
        do {
            if records {
                if case .postgresql(let connection) = connection {
                    // Whole months first; what is left (a month holding a later report too) goes row by row.
                    let dropped = try serialized {
                        try RecordPartitions.drop(before: cutoff, now: now, on: connection)
                    }
                    result.reports += dropped.reports
                    result.records += dropped.records
                }
                while true {
                    let (reports, removed) = try write { db -> (Int, Int) in
                        let batch = try db.rows(
                            """
                            SELECT id, first_record, last_record FROM report
                            WHERE end_utc < ? AND records_pruned_at IS NULL LIMIT 200
                            """, [cutoff])
                        var removed = 0
                        for row in batch {
                            let id: Int64 = row["id"]
                            guard let first: Int64 = row["first_record"], let last: Int64 = row["last_record"] else {
                                try db.execute("UPDATE report SET records_pruned_at = ? WHERE id = ?", [now, id])
                                continue
                            }
                            if db.engine == .postgresql {
                                // The range may hold other importers' records (``recordsOf``).
                                for table in ["dkim_result_extra", "spf_result_extra", "override_reason"] {
                                    try db.execute(
                                        """
                                        DELETE FROM \(table) WHERE id BETWEEN ? AND ? AND record_id IN
                                            (SELECT id FROM record WHERE id BETWEEN ? AND ? AND report_id = ?)
                                        """, [first << 16, last << 16 | 65_535, first, last, id])
                                }
                                removed += try db.executeCounting(
                                    "DELETE FROM record WHERE id BETWEEN ? AND ? AND report_id = ?", [first, last, id])
                            } else {
                                for table in ["dkim_result_extra", "spf_result_extra", "override_reason"] {
                                    try db.execute(
                                        "DELETE FROM \(table) WHERE id BETWEEN ? AND ?",
                                        [first << 16, last << 16 | 65_535])
                                }
                                removed += try db.executeCounting(
                                    "DELETE FROM record WHERE id BETWEEN ? AND ?", [first, last])
                            }
                            try db.execute("UPDATE report SET records_pruned_at = ? WHERE id = ?", [now, id])
                        }
                        return (batch.count, removed)
                    }
                    guard reports > 0 else { break }
                    result.reports += reports
                    result.records += removed
                }
            }
            if originals {
                while true {
                    let (count, bytes) = try write { db -> (Int, Int64) in
                        let batch = try db.rows(
                            """
                            SELECT b.id, b.size FROM input_blob b JOIN input i ON i.blob_id = b.id
                            WHERE b.pruned_at IS NULL AND i.imported_at < ?1
                              AND i.id NOT IN (SELECT input_id FROM item WHERE outcome IN ('rejected', 'skipped'))
                              AND i.id NOT IN (SELECT input_id FROM report WHERE end_utc >= ?1)
                              AND i.id NOT IN (SELECT input_id FROM tls_report WHERE end_utc >= ?1)
                            LIMIT 1000
                            """, [cutoff])
                        var bytes: Int64 = 0
                        for row in batch {
                            let id: Int64 = row["id"]
                            try db.execute("DELETE FROM input_chunk WHERE blob_id = ?", [id])
                            try db.execute("UPDATE input_blob SET pruned_at = ? WHERE id = ?", [now, id])
                            bytes += row["size"] as Int64
                        }
                        return (batch.count, bytes)
                    }
                    guard count > 0 else { break }
                    result.originals += count
                    result.originalBytes += bytes
                }
            }
            // PostgreSQL's autovacuum reuses the space; SQLite's freed pages go back to the file system a few
            // thousand at a time where the database allows it.
            guard engine == .sqlite else { return result }
            let incremental = try read { db in try db.value(Int.self, "PRAGMA auto_vacuum") } == 2
            if incremental {
                while try writeWithoutTransaction({ db -> Bool in
                    try db.execute("PRAGMA incremental_vacuum(4096)")
                    return (try db.value(Int.self, "PRAGMA freelist_count") ?? 0) > 0
                }) {}
            }
            result.incrementalVacuum = incremental
            result.freeBytes = try read { db in
                (try db.value(Int64.self, "PRAGMA freelist_count") ?? 0)
                    * (try db.value(Int64.self, "PRAGMA page_size") ?? 4096)
            }
            return result
        } catch {
            throw Self.storeError(error, doing: "prune", path: path)
        }
    }

    /// Rewrites the database file without its free pages, and makes later prunes give space back as
    /// they go (incremental vacuum). It holds the database while it runs.
    public func vacuum() throws {
        do {
            try writeWithoutTransaction { db in
                if db.engine == .sqlite { try db.execute("PRAGMA auto_vacuum = INCREMENTAL") }
                try db.execute("VACUUM")
            }
        } catch {
            throw Self.storeError(error, doing: "vacuum", path: path)
        }
    }
}
