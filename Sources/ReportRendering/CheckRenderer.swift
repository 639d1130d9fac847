import ReportModel

/// Output of `rua check`: a line per check with ✓, ⚠ or ✗ and the fix; JSON rows with `id`, `status`,
/// `message`, `fix` and the evidence.
public enum CheckRenderer {
    public static func render(_ checks: [Check], format: OutputFormat, context: OutputContext) -> String {
        let rows = checks.map { check in
            JSONValue.object([
                ("domain", .string(check.domain)), ("id", .string(check.id)),
                ("status", .string(check.status.rawValue)),
                ("message", .string(check.message)), ("fix", .string(check.fix)),
                ("evidence", .object(check.evidence.map { ($0.0, .string($0.1)) })),
            ])
        }
        switch format {
        case .text: return text(checks)
        case .json:
            let worst = checks.map(\.status).max() ?? .pass
            return context.document(rows: rows, extra: [("status", .string(worst.rawValue))])
        case .ndjson: return OutputContext.lines(rows)
        case .csv:
            return csv(
                ["domain", "id", "status", "message", "fix"],
                checks.map { [$0.domain, $0.id, $0.status.rawValue, $0.message, $0.fix ?? ""] })
        }
    }

    static func symbol(_ status: Check.Status) -> String {
        switch status {
        case .pass: "✓"
        case .warning: "⚠"
        case .failure: "✗"
        }
    }

    /// Evidence worth a line of its own in text: records, and readiness' senders and steps.
    static func shownInText(_ name: String) -> Bool {
        ["record", "policy", "next_step", "subdomains", "forwarding", "changed"].contains(name)
            || name.hasPrefix("sender_")
    }

    static func text(_ checks: [Check]) -> String {
        var lines: [String] = []
        var domain: String?
        for check in checks {
            if check.domain != domain {
                if domain != nil { lines.append("") }
                domain = check.domain
                lines.append(Escaping.terminal(check.domain))
            }
            lines.append("  \(symbol(check.status)) \(check.id): \(Escaping.terminal(check.message))")
            if let fix = check.fix, check.status != .pass { lines.append("      fix: \(Escaping.terminal(fix))") }
            for (name, value) in check.evidence where shownInText(name) {
                lines.append("      \(String(name.map { $0 == "_" ? " " : $0 })): \(Escaping.terminal(value))")
            }
        }
        let failures = checks.filter { $0.status == .failure }.count
        let warnings = checks.filter { $0.status == .warning }.count
        lines.append("")
        lines.append("\(counted(checks.count, "check")): \(failures) failed, \(warnings) with warnings")
        return lines.joined(separator: "\n") + "\n"
    }
}
