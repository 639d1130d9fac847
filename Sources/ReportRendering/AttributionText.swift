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

    static func json(_ attribution: SourceAttribution?) -> JSONValue {
        guard let attribution else { return .null }
        var ptr: JSONValue = .null
        var confirmed: JSONValue = .null
        var status = "not_looked_up"
        switch attribution.reverse {
        case .name(let name, let isConfirmed):
            ptr = .string(name)
            confirmed = .bool(isConfirmed)
            status = "name"
        case .noPTR: status = "no_ptr"
        case .failure(let reason): status = "failed: " + reason
        case nil: break
        }
        return .object([
            ("reverse_dns", .string(status)),
            ("ptr", ptr),
            ("ptr_confirmed", confirmed),
            ("ptr_organization", .string(attribution.ptrOrganization)),
            ("service", .string(attribution.service?.name)),
            ("service_type", .string(attribution.service?.type)),
            ("evidence", .array(attribution.evidence.map { .string($0) })),
        ])
    }
}
