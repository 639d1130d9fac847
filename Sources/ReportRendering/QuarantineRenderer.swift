import ReportModel

/// Output of `rua quarantine`.
public enum QuarantineRenderer {
    public static func list(_ inputs: [KeptInput], format: OutputFormat, context: OutputContext) -> String {
        switch format {
        case .text:
            guard !inputs.isEmpty else { return "nothing in quarantine: every input was stored" }
            var lines: [String] = []
            for input in inputs {
                lines.append(
                    "#\(input.id)  \(TimeFormat.minute(input.importedAt))  \(Escaping.terminal(input.name))  "
                        + "(\(grouped(input.size)) bytes)")
                for item in input.problems {
                    let place = item.part.map { " › \(Escaping.terminal($0))" } ?? ""
                    lines.append("    \(item.outcome.rawValue)\(place): \(Escaping.terminal(item.reason ?? ""))")
                }
            }
            lines.append("\(counted(inputs.count, "input")) kept with a reason; `rua reprocess --all` runs them again")
            return lines.joined(separator: "\n") + "\n"
        case .json:
            return context.document(rows: inputs.map(json))
        case .ndjson:
            return OutputContext.lines(inputs.map(json))
        case .csv:
            let rows = inputs.flatMap { input in
                input.problems.map { item in
                    [
                        String(input.id), TimeFormat.csv(input.importedAt), input.name, String(input.size),
                        item.part ?? "", item.outcome.rawValue, item.reason ?? "",
                    ]
                }
            }
            return csv(["id", "imported_at", "input", "size", "part", "outcome", "reason"], rows)
        }
    }

    /// Everything kept about one input.
    public static func show(_ input: KeptInput) -> String {
        var lines = [
            "input #\(input.id): \(Escaping.terminal(input.name))",
            "  imported  \(TimeFormat.iso8601(input.importedAt))",
            "  size      \(grouped(input.size)) bytes",
            "  sha256    \(input.sha256.map { String($0, radix: 16).leftPadded(2) }.joined())",
        ]
        for message in input.messages {
            lines.append("  message")
            for (label, value) in [
                ("Message-ID", message.messageID), ("Date", message.date), ("From", message.from),
                ("Subject", message.subject), ("TLS-Report-Domain", message.tlsReportDomain),
                ("TLS-Report-Submitter", message.tlsReportSubmitter),
            ] {
                if let value { lines.append("    \(label): \(Escaping.terminal(value))") }
            }
        }
        lines.append("  items")
        for item in input.items {
            let place = item.part.map { Escaping.terminal($0) } ?? "(the input itself)"
            var line = "    \(item.outcome.rawValue)  \(place)"
            if let reason = item.reason { line += ": \(Escaping.terminal(reason))" }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func json(_ input: KeptInput) -> JSONValue {
        .object([
            ("id", .int(input.id)),
            ("input", .string(input.name)),
            ("imported_at", .time(input.importedAt)),
            ("size", .int(input.size)),
            (
                "items",
                .array(
                    input.problems.map { item in
                        .object([
                            ("part", .string(item.part)),
                            ("outcome", .string(item.outcome.rawValue)),
                            ("kind", .string(item.kind?.rawValue)),
                            ("reason", .string(item.reason)),
                        ])
                    })
            ),
        ])
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
