import ReportModel

/// Inputs kept in the database, run again through the current unpacking and parsing (`rua reprocess`):
/// each one's original is read from the database when its turn comes, so that memory holds one at a time.
struct KeptInputs: InputSource {
    let inputs: [KeptInput]
    /// The original bytes of the input with this SHA-256, `nil` when none are kept.
    let original: ([UInt8]) throws -> [UInt8]?
    private var index = 0

    init(_ inputs: [KeptInput], original: @escaping ([UInt8]) throws -> [UInt8]?) {
        self.inputs = inputs
        self.original = original
    }

    mutating func next() -> SourceEvent? {
        guard index < inputs.count else { return nil }
        let kept = inputs[index]
        index += 1
        do {
            guard let bytes = try original(kept.sha256) else {
                return .unreadable(name: kept.name, reason: "original bytes of input #\(kept.id) not found")
            }
            var input = ImportInput(name: kept.name, content: .bytes(bytes))
            input.keptInputID = kept.id
            return .input(input)
        } catch {
            return .unreadable(name: kept.name, reason: "original bytes of input #\(kept.id) unreadable: \(error)")
        }
    }
}
