import Foundation
import ReportModel

/// How `rua serve` runs: where it listens, the database, who may read and write, and its limits.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var database: DatabaseLocation
    /// `NAME:BCRYPT-HASH` lines: accounts that may read (HTTP Basic).
    public var accountsFile: String?
    /// `NAME:SCOPE:SHA256-HEX` lines (scope `read` or `write`): bearer tokens.
    public var tokensFile: String?
    /// The most bytes a request body may have (uploads, TLS reports).
    public var maxBodyBytes: Int
    /// The most decompressed bytes one report may have (the import's limit).
    public var maxReportBytes: Int64
    /// Intake requests per client address per minute.
    public var intakePerMinute: Int
    /// How long a rendered page may be served again while imports change the data.
    public var cacheSeconds: Double
    /// TLS served directly: a PEM certificate chain and its private key (else plain HTTP, for a proxy).
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// The clock, epoch seconds (tests pin it).
    public var now: @Sendable () -> Int64

    public init(
        host: String = "127.0.0.1", port: Int = 8080, database: DatabaseLocation, accountsFile: String? = nil,
        tokensFile: String? = nil, maxBodyBytes: Int = 10 * 1024 * 1024, maxReportBytes: Int64,
        intakePerMinute: Int = 120, cacheSeconds: Double = 10, tlsCertificate: String? = nil, tlsKey: String? = nil,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.tlsCertificate = tlsCertificate
        self.tlsKey = tlsKey
        self.host = host
        self.port = port
        self.database = database
        self.accountsFile = accountsFile
        self.tokensFile = tokensFile
        self.maxBodyBytes = maxBodyBytes
        self.maxReportBytes = maxReportBytes
        self.intakePerMinute = intakePerMinute
        self.cacheSeconds = cacheSeconds
        self.now = now
    }

    /// Whether `host` is a loopback address or name: the only place Rua listens without credentials.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
