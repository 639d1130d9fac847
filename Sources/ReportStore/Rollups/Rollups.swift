import DomainAlignment
import GRDB
import ReportModel

/// Per-report and per-source totals maintained at import time, so that summaries and digests over
/// millions of records read a few thousand rows. Only counted reports (not variants) are rolled up.
///
/// A record's DMARC outcome follows the standards digest §6.3 (and ``RecordVerdict``): the reporter's
/// `policy_evaluated` verdict when it is `pass` or `fail`, else the recomputed alignment stored in
/// `record.alignment` under the policy's `adkim`/`aspf`, whose bits are bound as `:dkimBit`/`:spfBit`.
enum Rollups {
    static let dkimAligned = """
        (CASE WHEN c.dkim IN ('pass', 'fail') THEN c.dkim = 'pass' ELSE (c.alignment & :dkimBit) <> 0 END)
        """
    static let spfAligned = """
        (CASE WHEN c.spf IN ('pass', 'fail') THEN c.spf = 'pass' ELSE (c.alignment & :spfBit) <> 0 END)
        """
    static let unsupportedPass = """
        ((c.dkim = 'pass' AND (c.alignment & :dkimBit) = 0) OR (c.spf = 'pass' AND (c.alignment & :spfBit) = 0))
        """
    static let contradictingFail = """
        ((c.dkim = 'fail' AND (c.alignment & :dkimBit) <> 0) OR (c.spf = 'fail' AND (c.alignment & :spfBit) <> 0))
        """
    static let computedPass = "((c.alignment & (:dkimBit | :spfBit)) <> 0)"

    static let insertReportRollup = """
        INSERT INTO report_rollup (report_id, messages, dmarc_pass, dkim_aligned, spf_aligned, computed_pass,
                                   unsupported_pass, contradicting_fail, disagreeing_records, quarantine, reject)
        SELECT :report, COALESCE(SUM(c.count), 0),
               COALESCE(SUM(CASE WHEN \(dkimAligned) OR \(spfAligned) THEN c.count ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN \(dkimAligned) THEN c.count ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN \(spfAligned) THEN c.count ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN \(computedPass) THEN c.count ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN \(unsupportedPass) THEN c.count ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN NOT \(unsupportedPass) AND \(contradictingFail) THEN c.count ELSE 0 END), 0),
               COUNT(CASE WHEN \(unsupportedPass) OR \(contradictingFail) THEN 1 END),
               COALESCE(SUM(CASE WHEN c.disposition = 'quarantine' THEN c.count ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN c.disposition = 'reject' THEN c.count ELSE 0 END), 0)
        FROM report r JOIN record c ON c.id BETWEEN r.first_record AND r.last_record
        WHERE r.id = :report
        """

    /// Per (begin, policy domain, source, header_from), added to what other records and reports with the
    /// same begin brought. Row by row rather than GROUP BY: no temporary sort, so memory stays flat for a
    /// report of millions of records. `+` turns to floating point rather than failing should absurd
    /// counts overflow.
    static let upsertSourceRollup = """
        INSERT INTO source_rollup (begin_utc, policy_domain, source_ip, header_from, messages, dmarc_pass,
                                   dkim_aligned, spf_aligned)
        SELECT r.begin_utc, r.policy_domain, c.source_ip, COALESCE(LOWER(c.header_from), ''), c.count,
               CASE WHEN \(dkimAligned) OR \(spfAligned) THEN c.count ELSE 0 END,
               CASE WHEN \(dkimAligned) THEN c.count ELSE 0 END,
               CASE WHEN \(spfAligned) THEN c.count ELSE 0 END
        FROM report r JOIN record c ON c.id BETWEEN r.first_record AND r.last_record
        WHERE r.id = :report
        ON CONFLICT DO UPDATE SET messages = messages + excluded.messages,
                                  dmarc_pass = dmarc_pass + excluded.dmarc_pass,
                                  dkim_aligned = dkim_aligned + excluded.dkim_aligned,
                                  spf_aligned = spf_aligned + excluded.spf_aligned
        """

    static func arguments(report: Int64, adkim: AlignmentMode?, aspf: AlignmentMode?) -> StatementArguments {
        let dkim = adkim == .strict ? AlignmentFacts.dkimStrict : .dkimRelaxed
        let spf = aspf == .strict ? AlignmentFacts.spfStrict : .spfRelaxed
        return ["report": report, "dkimBit": dkim.rawValue, "spfBit": spf.rawValue]
    }

    /// Rolls up one stored, counted report.
    static func add(report: Int64, adkim: AlignmentMode?, aspf: AlignmentMode?, _ db: Database) throws {
        let arguments = arguments(report: report, adkim: adkim, aspf: aspf)
        try db.run(insertReportRollup, arguments)
        try db.run(upsertSourceRollup, arguments)
    }
}
