/// One cell of an exported row: typed, so JSON keeps numbers and booleans and CSV writes them plainly.
public enum ExportValue: Hashable, Sendable {
    case text(String?)
    case integer(Int64?)
    case boolean(Bool?)
    case decimal(Double?)
    /// Epoch seconds, written as ISO-8601 UTC.
    case time(Int64?)
}

/// What `rua export` can write.
public enum ExportKind: String, Sendable, CaseIterable {
    case records, reports, sources
    case tlsFailures = "tls-failures"
}
