import ReportModel

/// How the renderers show who a source is.
enum AttributionText {
    /// `Google Workspace / Gmail`, else the PTR name (`mx.example.net?` when not forward-confirmed),
    /// else `no PTR`, `DNS failed`, or `–` when not looked up.
    static func sender(_ attribution: SourceAttribution?) -> String {
        guard let attribution else { return "–" }
        if let service = attribution.service { return service.name }
        switch attribution.reverse {
        case .name(let name, let confirmed): return confirmed ? name : name + "?"
        case .noPTR: return "no PTR"
        case .failure: return "DNS failed"
        case nil: return "–"
        }
    }

    /// The CSV columns of an attribution: data only, empty when unknown (never a display placeholder).
    static let csvColumns = [
        "reverse_dns", "ptr", "ptr_confirmed", "ptr_organization", "service", "service_type", "attribution_evidence",
    ]

    static func csvCells(_ attribution: SourceAttribution?) -> [String] {
        guard let attribution else { return Array(repeating: "", count: csvColumns.count) }
        var status = "not_looked_up"
        var ptr = ""
        var confirmed = ""
        switch attribution.reverse {
        case .name(let name, let isConfirmed):
            status = "name"
            ptr = name
            confirmed = isConfirmed ? "true" : "false"
        case .noPTR: status = "no_ptr"
        case .failure: status = "failed"
        case nil: break
        }
        return [
            status, ptr, confirmed, attribution.ptrOrganization ?? "", attribution.service?.name ?? "",
            attribution.service?.type ?? "", attribution.evidence.joined(separator: ";"),
        ]
    }

    static func json(_ attribution: SourceAttribution?) -> JSONValue {
        guard let attribution else { return .null }
        var ptr: JSONValue = .null
        var confirmed: JSONValue = .null
        var status = "not_looked_up"
        var failure: String?
        switch attribution.reverse {
        case .name(let name, let isConfirmed):
            ptr = .string(name)
            confirmed = .bool(isConfirmed)
            status = "name"
        case .noPTR: status = "no_ptr"
        case .failure(let reason):
            status = "failed"
            failure = reason
        case nil: break
        }
        return .object([
            ("reverse_dns", .string(status)),
            ("reverse_dns_error", .string(failure)),
            ("ptr", ptr),
            ("ptr_confirmed", confirmed),
            ("ptr_organization", .string(attribution.ptrOrganization)),
            ("service", .string(attribution.service?.name)),
            ("service_type", .string(attribution.service?.type)),
            ("evidence", .array(attribution.evidence.map { .string($0) })),
        ])
    }
}
