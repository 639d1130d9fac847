import GRDB
import ReportModel

extension ReportDatabase {
    /// The highest UID `rua fetch --after leave` handled in a mailbox, with the UIDVALIDITY it holds for.
    public func mailboxCheckpoint(_ mailbox: String) throws -> (uidValidity: UInt32, uid: UInt32)? {
        try read { db in
            try db.row(
                "SELECT uid_validity, last_uid FROM mailbox_checkpoint WHERE mailbox = ?", [mailbox]
            ).map {
                (
                    UInt32(truncatingIfNeeded: $0["uid_validity"] as Int64),
                    UInt32(truncatingIfNeeded: $0["last_uid"] as Int64)
                )
            }
        }
    }

    public func setMailboxCheckpoint(_ mailbox: String, uidValidity: UInt32, uid: UInt32) throws {
        do {
            try write { db in
                try db.execute(
                    """
                    INSERT INTO mailbox_checkpoint (mailbox, uid_validity, last_uid) VALUES (?, ?, ?)
                    ON CONFLICT (mailbox) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid
                    """,
                    [mailbox, Int64(uidValidity), Int64(uid)])
            }
        } catch {
            throw Self.storeError(error, doing: "remember where the mailbox was read to", path: path)
        }
    }
}
