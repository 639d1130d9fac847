import ArgumentParser

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
    /// An input or the database could not be read or written.
    static let ioError = ExitCode(74)
    /// A temporary failure (database locked past the timeout): try again later.
    static let temporaryFailure = ExitCode(75)
}
