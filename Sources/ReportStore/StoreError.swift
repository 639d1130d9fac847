/// A failure of the database itself (not of an input): cannot open, locked, disk full.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// True when retrying later may succeed (the database was busy or locked).
    public var isTemporary: Bool

    public init(_ message: String, isTemporary: Bool = false) {
        self.message = message
        self.isTemporary = isTemporary
    }

    public var description: String { message }
}
