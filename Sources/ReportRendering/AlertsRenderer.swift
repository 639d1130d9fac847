import ReportModel

/// Output of `rua alerts`: the alerts new since the last run, and, as asked, those still open and those
/// resolved. JSON and NDJSON rows carry all three, each with its `status`.
public enum AlertsRenderer {
    public static func render(_ run: AlertRun, format: OutputFormat, context: OutputContext, all: Bool) -> String {
        switch format {
        case .text: return text(run, all: all)
        case .json: return context.document(rows: rows(run), extra: [("new", .int(run.new.count))])
        case .ndjson: return OutputContext.lines(rows(run))
        case .csv:
            return csv(
                ["status", "code", "policy_domain", "subject", "text", "first_alerted"],
                table(run).map { row in row.map { $0 } })
        }
    }

    static func table(_ run: AlertRun) -> [[String]] {
        run.new.map { ["new", $0.code, $0.policyDomain, $0.subject ?? "", $0.text, ""] }
            + run.ongoing.map {
                ["ongoing", $0.code, $0.policyDomain, $0.subject ?? "", $0.text, TimeFormat.iso8601($0.firstAlerted)]
            }
            + run.resolved.map {
                ["resolved", $0.code, $0.policyDomain, $0.subject ?? "", $0.text, TimeFormat.iso8601($0.firstAlerted)]
            }
    }

    static func rows(_ run: AlertRun) -> [JSONValue] {
        func row(
            _ status: String, _ code: String, _ domain: String, _ subject: String?, _ text: String,
            numbers: [Digest.Advice.Number], first: Int64?, last: Int64?
        ) -> JSONValue {
            .object([
                ("status", .string(status)), ("code", .string(code)), ("policy_domain", .string(domain)),
                ("subject", .string(subject)),
                ("numbers", .object(numbers.map { ($0.name, DigestRenderer.number($0.value)) })),
                ("text", .string(text)), ("first_alerted", .time(first)), ("last_seen", .time(last)),
            ])
        }
        return run.new.map {
            row("new", $0.code, $0.policyDomain, $0.subject, $0.text, numbers: $0.numbers, first: nil, last: nil)
        }
            + run.ongoing.map {
                row(
                    "ongoing", $0.code, $0.policyDomain, $0.subject, $0.text, numbers: [], first: $0.firstAlerted,
                    last: $0.lastSeen)
            }
            + run.resolved.map {
                row(
                    "resolved", $0.code, $0.policyDomain, $0.subject, $0.text, numbers: [], first: $0.firstAlerted,
                    last: $0.lastSeen)
            }
    }

    /// New alerts listed in text; a mail of hundreds of lines is read by nobody.
    static let shown = 50

    /// Nothing when nothing is new (a cron job mails only what it prints), unless `all`.
    public static func text(_ run: AlertRun, all: Bool) -> String {
        var lines: [String] = []
        if !run.new.isEmpty {
            lines.append("\(counted(run.new.count, "new alert")) for \(run.period.label):")
            lines += run.new.prefix(shown).map {
                "  [\($0.code)] \(Escaping.terminal($0.policyDomain)): \(Escaping.terminal($0.text))"
            }
            if run.new.count > shown {
                lines.append("  … and \(grouped(run.new.count - shown)) more: --format json lists them all.")
            }
        } else if all {
            lines.append("No new alerts for \(run.period.label).")
        }
        if all {
            if !run.ongoing.isEmpty {
                lines.append("Still open (alerted before):")
                lines += run.ongoing.map {
                    "  [\($0.code)] \(Escaping.terminal($0.policyDomain)): \(Escaping.terminal($0.text)) (since \(TimeFormat.date($0.firstAlerted)))"
                }
            }
            if !run.resolved.isEmpty {
                lines.append("Resolved since the last run:")
                lines += run.resolved.map {
                    "  [\($0.code)] \(Escaping.terminal($0.policyDomain)): \(Escaping.terminal($0.text))"
                }
            }
        } else if !run.new.isEmpty && (!run.ongoing.isEmpty || !run.resolved.isEmpty) {
            lines.append(
                "\(grouped(run.ongoing.count)) still open, \(grouped(run.resolved.count)) resolved: rua alerts --all lists them."
            )
        }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    /// A mail subject naming the first new alert.
    public static func subject(_ run: AlertRun) -> String {
        guard let first = run.new.first else { return "Rua: no new alerts" }
        let more = run.new.count > 1 ? " and \(run.new.count - 1) more" : ""
        return "Rua: \(first.policyDomain) \(String(first.code.map { $0 == "_" ? " " : $0 }))\(more)"
    }

    /// The alerts as a self-contained HTML page, for the mail's HTML part.
    public static func html(_ run: AlertRun) -> String {
        var doc = Document(title: "Rua alerts \(run.period.label)")
        doc.heading("New")
        doc.bullets(run.new.map { "[\($0.code)] \($0.policyDomain): \($0.text)" })
        if !run.ongoing.isEmpty {
            doc.heading("Still open (alerted before)")
            doc.bullets(run.ongoing.map { "[\($0.code)] \($0.policyDomain): \($0.text)" })
        }
        if !run.resolved.isEmpty {
            doc.heading("Resolved since the last run")
            doc.bullets(run.resolved.map { "[\($0.code)] \($0.policyDomain): \($0.text)" })
        }
        return doc.render(.html)
    }

    /// A webhook body: `text` for chat, and the JSON document under `alerts`.
    public static func webhook(_ run: AlertRun, context: OutputContext) -> String {
        let text = ([subject(run)] + run.new.map { "• [\($0.code)] \($0.policyDomain): \($0.text)" })
            .joined(separator: "\n")
        return JSONValue.object([
            ("text", .string(text)),
            ("alerts", context.documentValue(rows: rows(run), extra: [("new", .int(run.new.count))])),
        ]).serialized() + "\n"
    }
}
