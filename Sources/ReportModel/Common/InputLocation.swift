/// Where a piece of data came from: the path the user gave, and the chain of archive members or
/// compression layers inside it.
///
/// Rendered as `inbox/report.zip › google.com!example.com!1!2.xml`.
public struct InputLocation: Hashable, Sendable, CustomStringConvertible {
    /// The path as the user gave it (or `-` for standard input).
    public var path: String
    /// Archive members, outermost first. Empty for the file itself.
    public var members: [String]

    public init(path: String, members: [String] = []) {
        self.path = path
        self.members = members
    }

    /// This location with one more archive member appended.
    public func appending(member: String) -> InputLocation {
        InputLocation(path: path, members: members + [member])
    }

    /// The member chain as one string, or `nil` for the file itself.
    public var part: String? {
        members.isEmpty ? nil : members.joined(separator: " › ")
    }

    /// The innermost name: the last member, or the last path component of the file.
    public var leafName: String {
        Self.lastComponent(members.last ?? path)
    }

    /// The text after the last `/` that has text after it; the whole text when there is none. By UTF-8
    /// bytes (`/` is ASCII), not characters: asked once per report.
    private static func lastComponent(_ text: String) -> String {
        text.utf8.split(separator: UInt8(ascii: "/")).last.map { String(Substring($0)) } ?? text
    }

    public var description: String {
        ([path] + members).joined(separator: " › ")
    }
}
