/// A failure to read or write the database: cannot open, locked, disk full, or one input's data that
/// SQLite refused. (The store classifies SQLite's errors into it; everything above the store sees this
/// value only.)
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// True when retrying later may succeed: another process holds the database, or the disk really is
    /// full.
    public var isTemporary: Bool
    /// True when the database itself cannot be used (cannot be opened or written, locked, full, corrupt);
    /// false when SQLite refused what one input asked of it, which the input is then kept with.
    public var concernsDatabase: Bool
    /// PostgreSQL's SQLSTATE for an error the server reported (`23505` for a unique violation).
    public var sqlState: String?
    /// PostgreSQL: the constraint (or unique index) an error names, if any.
    public var constraint: String?

    public init(_ message: String, isTemporary: Bool = false, concernsDatabase: Bool = true) {
        self.message = message
        self.isTemporary = isTemporary
        self.concernsDatabase = concernsDatabase
    }

    public var description: String { message }
}
