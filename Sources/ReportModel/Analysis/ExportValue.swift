/// One cell of an exported row: typed, so JSON keeps numbers and booleans and CSV writes them plainly.
public enum ExportValue: Hashable, Sendable {
    case text(String?)
    case integer(Int64?)
    case boolean(Bool?)
    case decimal(Double?)
    /// Epoch seconds, written as ISO-8601 UTC.
    case time(Int64?)
    /// Several values (a source's `header_from` domains): an array in JSON, joined with `;` in CSV.
    case list([String])
    /// Several items of named fields (a record's DKIM results: `domain`, `selector`, `result`): an array
    /// of objects in JSON; in CSV each item's fields joined with `:` (empty when unknown), the items with
    /// `;` (`example.com:s1:pass;example.net::fail`). The items' fields follow each other in one array
    /// (`keys.count` a item): one allocation a cell, for a million records.
    case objects(keys: [String], fields: [String?])
}

/// What `rua export` can write.
public enum ExportKind: String, Sendable, CaseIterable {
    case records, reports, sources
    case tlsFailures = "tls-failures"
}
