import ReportModel

/// Gathers the items an import reports.
public final class ItemCollector: @unchecked Sendable {
    // @unchecked: items arrive on the importing thread, and are read after the import returns.
    public var items: [ImportItem] = []

    public init() {}
}
