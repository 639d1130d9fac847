import ArgumentParser
import NetworkClient

/// The exit statuses of `rua`, from sysexits(3). Scripts and MTAs depend on them.
enum ExitStatus {
    /// Every input was stored or was a duplicate.
    static let success = ExitCode.success
    /// Wrong usage (bad option or argument). ArgumentParser uses the same value for validation errors.
    static let usage = ExitCode(64)
    /// At least one input was rejected (and kept with its reason).
    static let dataError = ExitCode(65)
    /// A reading command found no database at its path: nothing was imported there yet, or `--db` is wrong.
    static let noInput = ExitCode(66)
    /// A server (SMTP, webhook) could not be reached, or its TLS not established or verified.
    static let unavailable = ExitCode(69)
    /// A server answered with a permanent refusal (SMTP 5xx, an HTTP error), or sendmail failed.
    static let protocolError = ExitCode(76)
    /// A server refused the login.
    static let noPermission = ExitCode(77)
    /// An input or the database could not be read or written.
    static let ioError = ExitCode(74)
    /// A temporary failure (database locked past the timeout): try again later.
    static let temporaryFailure = ExitCode(75)
}

extension ExitStatus {
    /// The status for a server that could not be used, by why.
    static func of(_ error: NetworkError) -> ExitCode {
        switch error.kind {
        case .usage: usage
        case .unavailable, .protocolError: unavailable
        case .refused: noPermission
        case .temporary: temporaryFailure
        case .rejected: protocolError
        }
    }
}
