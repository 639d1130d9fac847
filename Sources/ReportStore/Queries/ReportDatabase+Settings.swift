import Foundation
import GRDB
import ReportModel

extension ReportDatabase {
    /// Every setting stored, by key.
    public func settings() throws -> [String: String] {
        try read { db in
            Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT key, value FROM setting").map {
                    ($0["key"] as String, $0["value"] as String)
                })
        }
    }

    /// Stores `value` for `key`, or removes the setting when `value` is `nil`.
    public func setSetting(_ key: String, to value: String?) throws {
        do {
            try queue.write { db in
                if let value {
                    try db.execute(
                        sql:
                            "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        arguments: [key, value])
                } else {
                    try db.execute(sql: "DELETE FROM setting WHERE key = ?", arguments: [key])
                }
            }
        } catch {
            throw Self.storeError(error, doing: "store a setting", path: path)
        }
    }
}
