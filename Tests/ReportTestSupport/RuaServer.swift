import Foundation
import Glibc
import Testing

/// `rua serve` started by a test on a free loopback port, stopped when released.
public final class RuaServer {
    public let port: Int
    /// `https` when the server was given a certificate.
    public let scheme: String
    private let pid: pid_t
    private let logPath: String

    /// Starts `rua serve ARGUMENTS --listen 127.0.0.1:0` and waits until it says where it listens.
    public init(_ arguments: [String], environment: [String: String] = [:], in temp: TemporaryDirectory) throws {
        logPath = temp.path("serve-\(UUID().uuidString).log")
        var variables = ProcessInfo.processInfo.environment
        variables["RUA_DB"] = nil
        for (name, value) in environment { variables[name] = value }
        let pid = try Spawn.start(
            RuaExecutable.url.path, ["serve", "--listen", "127.0.0.1:0"] + arguments, log: logPath,
            environment: variables)
        self.pid = pid
        var found: Int?
        var scheme = "http"
        for _ in 0..<600 {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let range = log.range(of: "listening on ") {
                let url = log[range.upperBound...].prefix { !$0.isWhitespace }
                scheme = url.hasPrefix("https") ? "https" : "http"
                found = url.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) }
                break
            }
            var code: Int32 = 0
            if waitpid(pid, &code, WNOHANG) == pid {
                throw ServerError(description: "rua serve exited: \(log)")
            }
            usleep(20_000)
        }
        guard let found else {
            kill(pid, SIGKILL)
            throw ServerError(
                description:
                    "rua serve did not start: \(String(describing: try? String(contentsOfFile: logPath, encoding: .utf8)))"
            )
        }
        port = found
        self.scheme = scheme
    }

    deinit {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    public var base: String { "\(scheme)://127.0.0.1:\(port)" }

    /// What the server printed.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    public struct ServerError: Error, CustomStringConvertible {
        public var description: String
    }

    /// An answer of `curl`.
    public struct Answer: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: String
    }

    /// Runs curl against `path` with `arguments` (method, headers, body) and reads its answer.
    public func curl(_ path: String, _ arguments: [String] = []) throws -> Answer {
        let temp = try TemporaryDirectory()
        let headerFile = temp.path("headers")
        let bodyFile = temp.path("body")
        let result = try RuaExecutable.run(
            ["/usr/bin/curl", "-s", "-o", bodyFile, "-D", headerFile, "-w", "%{http_code}"] + arguments + [base + path],
            viaShell: true)
        var headers: [String: String] = [:]
        let text = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
        for line in text.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let body = (try? String(contentsOfFile: bodyFile, encoding: .utf8)) ?? ""
        return Answer(status: Int(result.stdout) ?? 0, headers: headers, body: body)
    }
}
