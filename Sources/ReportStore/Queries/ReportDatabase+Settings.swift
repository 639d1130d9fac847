import Foundation
import GRDB
import ReportModel

extension ReportDatabase {
    /// Every setting stored, by key.
    public func settings() throws -> [String: String] {
        try read { db in
            Dictionary(
                uniqueKeysWithValues: try db.rows("SELECT key, value FROM setting").map {
                    ($0["key"] as String, $0["value"] as String)
                })
        }
    }

    /// Stores `value` for `key`, or removes the setting when `value` is `nil`.
    public func setSetting(_ key: String, to value: String?) throws {
        do {
            try write { db in
                if let value {
                    try db.execute(
                        "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        [key, value])
                } else {
                    try db.execute("DELETE FROM setting WHERE key = ?", [key])
                }
            }
        } catch {
            throw Self.storeError(error, doing: "store a setting", path: path)
        }
    }
}
