/// What a database holds and what it takes (`rua stats`).
public struct DatabaseStatistics: Sendable {
    public struct Table: Sendable {
        public var name: String
        public var rows: Int
        /// Bytes of its pages, its indexes' included.
        public var bytes: Int64

        public init(name: String, rows: Int, bytes: Int64) {
            self.name = name
            self.rows = rows
            self.bytes = bytes
        }
    }

    public var path: String
    public var engine: StoreEngine = .sqlite
    /// The database file, and its write-ahead log beside it (PostgreSQL: the database's size, no log).
    public var fileBytes: Int64
    public var logBytes: Int64
    /// Space inside the file that is free (reused by later writes, or given back by a vacuum).
    public var freeBytes: Int64
    public var tables: [Table]
    public var inputs: Int
    /// Inputs kept with a rejected or skipped item.
    public var keptWithReason: Int
    public var reports: Int
    public var tlsReports: Int
    public var records: Int
    public var policyDomains: Int
    /// Begin of the first and the last report stored (DMARC or TLS), epoch seconds.
    public var firstReport: Int64?
    public var lastReport: Int64?

    public init(
        path: String, fileBytes: Int64, logBytes: Int64, freeBytes: Int64, tables: [Table], inputs: Int,
        keptWithReason: Int, reports: Int, tlsReports: Int, records: Int, policyDomains: Int, firstReport: Int64?,
        lastReport: Int64?
    ) {
        self.path = path
        self.fileBytes = fileBytes
        self.logBytes = logBytes
        self.freeBytes = freeBytes
        self.tables = tables
        self.inputs = inputs
        self.keptWithReason = keptWithReason
        self.reports = reports
        self.tlsReports = tlsReports
        self.records = records
        self.policyDomains = policyDomains
        self.firstReport = firstReport
        self.lastReport = lastReport
    }
}
