/// A JSON value with object keys kept in the order they were written, so output is stable and reads
/// in a sensible order.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.serialized() == rhs.serialized()
    }

    /// Compact JSON text on one line.
    public func serialized() -> String {
        var out = ""
        write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .double(let value):
            out += value.isFinite ? String(value) : "null"
        case .string(let value): Escaping.appendJSONString(value, to: &out)
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                value.write(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { out += "," }
                Escaping.appendJSONString(key, to: &out)
                out += ":"
                value.write(into: &out)
            }
            out += "}"
        }
    }
}

extension JSONValue {
    static func string(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
    static func int(_ value: Int64?) -> JSONValue { value.map { .int($0) } ?? .null }
    static func int(_ value: Int?) -> JSONValue { value.map { .int(Int64($0)) } ?? .null }
    static func time(_ value: Int64?) -> JSONValue { value.map { .string(TimeFormat.iso8601($0)) } ?? .null }
    /// A rate as a fraction rounded to 4 decimal places, or null.
    static func rate(_ value: Double?) -> JSONValue {
        value.map { .double(($0 * 10_000).rounded() / 10_000) } ?? .null
    }
}
