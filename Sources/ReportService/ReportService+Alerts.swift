import ReportAnalysis
import ReportModel
import ReportStore

extension ReportService {
    /// The alerts of the period (the digest's measures against `thresholds`, and each domain's report
    /// heartbeat up to `now`), compared with what earlier runs alerted on; remembered unless `dryRun`.
    public func alerts(
        period: ReportPeriod, domain: String?, thresholds: AlertThresholds, lookup: SourceLookup, now: Int64,
        dryRun: Bool
    ) throws -> AlertRun {
        let domain = try domain.map(storedForm)
        let digest = try DigestBuilder.build(
            database, period: period, domain: domain, identifier: identifier(lookup, now: now))
        let cadence = try database.reportCadence(
            start: now - Int64(AlertRules.cadenceDays) * 86_400, end: now, domain: domain)
        let current = AlertRules.alerts(digest: digest, cadence: cadence, thresholds: thresholds, now: now)
        let compared = try database.compareAlerts(current, now: now, domain: domain, record: !dryRun)
        var run = AlertRun(period: period)
        run.new = compared.new
        run.ongoing = compared.ongoing
        run.resolved = compared.resolved
        return run
    }
}
