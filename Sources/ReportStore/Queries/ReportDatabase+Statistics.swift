import Foundation
import GRDB
import ReportModel

extension ReportDatabase {
    /// What the database holds and the space each table takes (SQLite's dbstat, which reads every page:
    /// seconds for a database of gigabytes).
    public func statistics() throws -> DatabaseStatistics {
        try read { db in
            func count(_ sql: String) throws -> Int { try db.value(Int.self, sql) ?? 0 }
            let bytesByTable = try db.rows(
                """
                SELECT s.tbl_name AS name, SUM(d.pgsize) AS bytes
                FROM dbstat d JOIN sqlite_schema s ON s.name = d.name
                WHERE d.aggregate = TRUE
                GROUP BY s.tbl_name
                """)
            var tables: [DatabaseStatistics.Table] = []
            for row in bytesByTable {
                let name: String = row["name"]
                guard !name.hasPrefix("sqlite_"), name != "grdb_migrations" else { continue }
                let rows = try count("SELECT COUNT(*) FROM \(name.quotedDatabaseIdentifier)")
                tables.append(.init(name: name, rows: rows, bytes: row["bytes"]))
            }
            tables.sort { ($0.bytes, $1.name) > ($1.bytes, $0.name) }
            let pageSize = try db.value(Int64.self, "PRAGMA page_size") ?? 4096
            let free = try db.value(Int64.self, "PRAGMA freelist_count") ?? 0
            let range = try db.row(
                """
                SELECT MIN(first) AS first, MAX(last) AS last FROM (
                    SELECT MIN(begin_utc) AS first, MAX(begin_utc) AS last FROM report
                    UNION ALL SELECT MIN(begin_utc), MAX(begin_utc) FROM tls_report)
                """)
            func size(_ path: String) -> Int64 {
                ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
            }
            return DatabaseStatistics(
                path: path, fileBytes: size(path), logBytes: size(path + "-wal"), freeBytes: free * pageSize,
                tables: tables, inputs: try count("SELECT COUNT(*) FROM input"),
                keptWithReason: try count(
                    "SELECT COUNT(DISTINCT input_id) FROM item WHERE outcome IN ('rejected', 'skipped')"),
                reports: try count("SELECT COUNT(*) FROM report"),
                tlsReports: try count("SELECT COUNT(*) FROM tls_report"),
                records: try count("SELECT COUNT(*) FROM record"),
                policyDomains: try count("SELECT COUNT(DISTINCT policy_domain) FROM report"),
                firstReport: range?["first"], lastReport: range?["last"])
        }
    }
}
