import ReportStore

extension ReportService {
    /// Where `rua fetch --after leave` stopped in a mailbox (`user@host:port/folder`).
    public func mailboxCheckpoint(_ mailbox: String) throws -> (uidValidity: UInt32, uid: UInt32)? {
        try database.mailboxCheckpoint(mailbox)
    }

    public func setMailboxCheckpoint(_ mailbox: String, uidValidity: UInt32, uid: UInt32) throws {
        try database.setMailboxCheckpoint(mailbox, uidValidity: uidValidity, uid: uid)
    }
}
