import ReportModel

/// Output of `rua import`: one JSON object per item, a line per problem, and the closing summary.
public enum ImportRenderer {
    /// The `--json` line for one item. Keys are a contract: scripts depend on them.
    public static func jsonLine(_ item: ImportItem) -> String {
        JSONValue.object([
            ("input", .string(item.input)),
            ("part", .string(item.part)),
            ("outcome", .string(item.outcome.rawValue)),
            ("kind", .string(item.kind?.rawValue)),
            ("org_name", .string(item.orgName)),
            ("report_id", .string(item.reportID)),
            ("policy_domain", .string(item.policyDomain)),
            ("begin", .time(item.begin)),
            ("end", .time(item.end)),
            ("records", .int(item.records)),
            ("messages", .int(item.messages)),
            ("reason", .string(item.reason)),
            ("diagnostics", .array(item.diagnostics.map { .string($0) })),
            ("policy_domains", item.policyDomains.map { .array($0.map { .string($0) }) } ?? .null),
            ("policies", .int(item.policies)),
            ("successful_sessions", .int(item.successfulSessions)),
            ("failed_sessions", .int(item.failedSessions)),
        ]).serialized()
    }

    /// A line for the terminal when an item needs attention (rejected, skipped, or stored with warnings);
    /// `nil` for a plain success.
    public static func textLine(_ item: ImportItem, colors: Bool = false) -> String? {
        let place = Escaping.terminal(([item.input] + (item.part.map { [$0] } ?? [])).joined(separator: " › "))
        switch item.outcome {
        case .rejected:
            return Style.colored("rejected", .bad, colors)
                + "  \(place): \(Escaping.terminal(item.reason ?? "unknown reason"))"
        case .skipped:
            return Style.colored("skipped", .warning, colors) + "   \(place): \(Escaping.terminal(item.reason ?? ""))"
        case .stored where item.reason != nil:
            return Style.colored("stored", .warning, colors) + "    \(place): \(Escaping.terminal(item.reason ?? ""))"
        case .stored, .duplicate:
            return nil
        }
    }

    /// The closing summary.
    public static func summary(_ summary: ImportSummary) -> String {
        var lines = [
            "\(counted(summary.inputs, "input")) read: \(counted(summary.stored, "report")) stored, "
                + "\(counted(summary.duplicates, "duplicate")), \(grouped(summary.rejected)) rejected, "
                + "\(grouped(summary.skipped)) skipped",
            "\(counted(summary.records, "record")), \(counted(summary.messages, "message")) stored",
        ]
        if summary.rejected > 0 {
            lines.append("rejected inputs are kept with their reason in the database")
        }
        for failure in summary.failures {
            lines.append("error: \(Escaping.terminal(failure))")
        }
        return lines.joined(separator: "\n")
    }
}
