/// Gathers diagnostics, folding repeats of the same code and message into one entry with a count, so
/// that a report of a million records with the same quirk yields one diagnostic, not a million.
public struct DiagnosticCollector: Sendable {
    private var order: [Key] = []
    private var entries: [Key: Diagnostic] = [:]
    private var dropped = 0
    /// How many diagnostics were added so far, kept or not: a caller compares it before and after a step
    /// to know whether the step found anything to say.
    public private(set) var additions = 0
    /// How many distinct diagnostics are kept before further ones are only counted.
    public let capacity: Int

    private struct Key: Hashable, Sendable {
        var code: DiagnosticCode
        var message: String
    }

    public init(capacity: Int = 200) {
        self.capacity = capacity
    }

    public mutating func add(_ diagnostic: Diagnostic) {
        additions += 1
        let key = Key(code: diagnostic.code, message: diagnostic.message)
        if entries[key] != nil {
            entries[key]?.occurrences += diagnostic.occurrences
        } else if entries.count < capacity {
            entries[key] = diagnostic
            order.append(key)
        } else {
            dropped += diagnostic.occurrences
        }
    }

    public mutating func add(_ code: DiagnosticCode, _ severity: Diagnostic.Severity = .warning, _ message: String) {
        add(Diagnostic(code, severity, message))
    }

    public mutating func add(contentsOf diagnostics: [Diagnostic]) {
        for diagnostic in diagnostics { add(diagnostic) }
    }

    public var isEmpty: Bool { entries.isEmpty && dropped == 0 }

    /// The diagnostics in the order they were first seen.
    public var diagnostics: [Diagnostic] {
        var result = order.compactMap { entries[$0] }
        if dropped > 0 {
            result.append(Diagnostic(.truncated, .note, "\(dropped) further diagnostics not kept", occurrences: 1))
        }
        return result
    }
}
