import ArgumentParser
import Foundation

/// The configuration file: `KEY = VALUE` lines (`#` starts a comment) with the database for every command
/// (`db`, `db-password-file`), so that cron jobs, the MTA's pipe and services share one setting. It is
/// `$RUA_CONFIG`, else `$XDG_CONFIG_HOME/rua/rua.conf` (`~/.config/rua/rua.conf`), else
/// `/etc/rua/rua.conf`; none is needed. Command-line options and `RUA_DB` come first.
struct RuaConfiguration {
    static let keys = ["db", "db-password-file"]

    let file: String?
    private let values: [String: String]

    /// The value of `key`, if the file sets it.
    func value(_ key: String) -> String? { values[key] }

    /// The configuration read once per process; a file with a mistake stops the command (exit 64) with
    /// the file and line named.
    static let shared: RuaConfiguration = {
        do {
            return try load(environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("rua: \(error)\n".utf8))
            exit(ExitCode.validationFailure.rawValue)
        }
    }()

    static func load(environment: [String: String]) throws -> RuaConfiguration {
        guard let file = path(environment: environment) else { return RuaConfiguration(file: nil, values: [:]) }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ValidationError("\(file): cannot be read")
        }
        var values: [String: String] = [:]
        for (number, raw) in String(decoding: data, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false
        ).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw ValidationError("\(file):\(number + 1): expected KEY = VALUE")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard keys.contains(key) else {
                throw ValidationError(
                    "\(file):\(number + 1): unknown key \(key) (known: \(keys.joined(separator: ", ")))")
            }
            guard !value.isEmpty else { throw ValidationError("\(file):\(number + 1): \(key) has no value") }
            values[key] = value
        }
        return RuaConfiguration(file: file, values: values)
    }

    /// The file that applies: `$RUA_CONFIG` (which must exist), else the first of the user's and the
    /// system's that exists.
    static func path(environment: [String: String]) -> String? {
        if let explicit = environment["RUA_CONFIG"], !explicit.isEmpty { return explicit }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let user =
            environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 + "/rua/rua.conf" }
            ?? home + "/.config/rua/rua.conf"
        return [user, "/etc/rua/rua.conf"].first { FileManager.default.fileExists(atPath: $0) }
    }
}
