import Foundation
import NetworkClient

/// Passwords, client secrets and tokens are read from files, never the command line: the first line,
/// without its line break.
enum SecretFile {
    /// `what` names the option in the message (`--smtp-password-file`); a usage error when the file
    /// cannot be read or its first line is empty.
    static func firstLine(_ path: String, _ what: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NetworkError(.usage, "\(what) \(path): cannot be read")
        }
        let line =
            String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .first.map { String($0.hasSuffix("\r") ? $0.dropLast() : $0) } ?? ""
        guard !line.isEmpty else { throw NetworkError(.usage, "\(what) \(path): the first line is empty") }
        return line
    }
}
