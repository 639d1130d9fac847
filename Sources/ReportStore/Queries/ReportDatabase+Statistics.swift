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
                db.engine == .sqlite
                    ? """
                    SELECT s.tbl_name AS name, SUM(d.pgsize) AS bytes
                    FROM dbstat d JOIN sqlite_schema s ON s.name = d.name
                    WHERE d.aggregate = TRUE
                    GROUP BY s.tbl_name
                    """
                    : """
                    SELECT c.relname AS name,
                           COALESCE((SELECT sum(pg_total_relation_size(relid))::bigint FROM pg_partition_tree(c.oid)),
                                    pg_total_relation_size(c.oid)) AS bytes
                    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
                    """)
            var tables: [DatabaseStatistics.Table] = []
            for row in bytesByTable {
                let name: String = row["name"]
                guard !name.hasPrefix("sqlite_"), !["grdb_migrations", "schema_migration"].contains(name) else {
                    continue
                }
                let rows = try count("SELECT COUNT(*) FROM \(name.quotedDatabaseIdentifier)")
                tables.append(.init(name: name, rows: rows, bytes: row["bytes"]))
            }
            tables.sort { ($0.bytes, $1.name) > ($1.bytes, $0.name) }
            let sqlite = db.engine == .sqlite
            let pageSize = sqlite ? try db.value(Int64.self, "PRAGMA page_size") ?? 4096 : 0
            let free = sqlite ? try db.value(Int64.self, "PRAGMA freelist_count") ?? 0 : 0
            let range = try db.row(
                """
                SELECT MIN(first) AS first, MAX(last) AS last FROM (
                    SELECT MIN(begin_utc) AS first, MAX(begin_utc) AS last FROM report
                    UNION ALL SELECT MIN(begin_utc), MAX(begin_utc) FROM tls_report) ranges
                """)
            func size(_ path: String) -> Int64 {
                ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
            }
            let fileBytes =
                sqlite ? size(path) : try db.value(Int64.self, "SELECT pg_database_size(current_database())") ?? 0
            var statistics = DatabaseStatistics(
                path: path, fileBytes: fileBytes, logBytes: sqlite ? size(path + "-wal") : 0,
                freeBytes: free * pageSize,
                tables: tables, inputs: try count("SELECT COUNT(*) FROM input"),
                keptWithReason: try count(
                    "SELECT COUNT(DISTINCT input_id) FROM item WHERE outcome IN ('rejected', 'skipped')"),
                reports: try count("SELECT COUNT(*) FROM report"),
                tlsReports: try count("SELECT COUNT(*) FROM tls_report"),
                records: try count("SELECT COUNT(*) FROM record"),
                policyDomains: try count("SELECT COUNT(DISTINCT policy_domain) FROM report"),
                firstReport: range?["first"], lastReport: range?["last"])
            statistics.engine = db.engine
            return statistics
        }
    }
}
