import ReportModel
import ReportStore

extension ReportService {
    /// The DNS record changes `rua check` saw for `domain`, oldest first.
    public func recordChanges(domain: String) throws -> [RecordChange] {
        try database.recordChanges(start: 0, end: Int64.max, domain: domain)
    }

    /// The original bytes of the input a stored report came in, with the input's name.
    public func originalOfReport(id: Int64, tls: Bool) throws -> (name: String, bytes: [UInt8])? {
        guard let input = try database.inputOfReport(id: id, tls: tls), let kept = try database.keptInput(id: input),
            let bytes = try database.originalBytes(sha256: kept.sha256)
        else { return nil }
        return (kept.name, bytes)
    }

    /// Grows when an import commits.
    public func dataVersion() throws -> Int64 { try database.dataVersion() }

    /// What `/metrics` exposes: totals per domain, TLS sessions per result, the last reports.
    public func metricTotals() throws -> (
        domains: [DomainSummary], tls: [(domain: String, result: String, sessions: Int64)],
        last: [(domain: String, reporter: String?, end: Int64)]
    ) {
        (
            try database.summary(ReportFilter(), topSources: 0), try database.tlsSessionTotals(),
            try database.lastReports()
        )
    }
}

extension ReportService {
    /// Report `id` with a page of its records and its diagnostics.
    public func reportDetail(id: Int64, offset: Int, limit: Int) throws -> ReportDetail? {
        try database.reportDetail(id: id, offset: offset, limit: limit)
    }
}
