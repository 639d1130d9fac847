import Foundation
import Glibc
import Testing

/// A dnsmasq process on a loopback port serving a test zone, for the reverse DNS tests: no test touches
/// the real internet. It logs every query, so tests can count what a command asked.
public final class DNSServer {
    public let port: UInt16
    private let pid: pid_t
    private let logPath: String

    /// dnsmasq's path, when it is installed.
    static let binary = ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Whether dnsmasq is installed: tests that need it are skipped (visibly) without it.
    public static let isAvailable = binary != nil

    /// Why tests that need a DNS server are skipped.
    public static let missing: Comment =
        "dnsmasq is not installed (Scripts/install-deps.sh installs dnsmasq-base)"

    /// Starts a server; fails the test when dnsmasq is missing (guard such tests with ``isAvailable``).
    /// - Parameters:
    ///   - txtRecords: name and text; a name given twice has two records.
    ///   - mxRecords: name, host and preference.
    public static func start(
        hostRecords: [(String, String)], ptrRecords: [(address: String, name: String)] = [],
        txtRecords: [(name: String, text: String)] = [],
        mxRecords: [(name: String, host: String, preference: Int)] = [],
        rawRecords: [(name: String, type: Int, data: [UInt8])] = [],
        in temp: TemporaryDirectory
    ) throws -> DNSServer {
        let binary = try #require(binary, missing)
        return try DNSServer(
            binary: binary, hostRecords: hostRecords, ptrRecords: ptrRecords, txtRecords: txtRecords,
            mxRecords: mxRecords, rawRecords: rawRecords, configuration: nil, temp: temp)
    }

    /// Starts a server with a zone written as a dnsmasq configuration file.
    public static func start(configuration: String, in temp: TemporaryDirectory) throws -> DNSServer {
        let binary = try #require(binary, missing)
        return try DNSServer(
            binary: binary, hostRecords: [], ptrRecords: [], txtRecords: [], mxRecords: [], rawRecords: [],
            configuration: configuration, temp: temp)
    }

    private init(
        binary: String, hostRecords: [(String, String)], ptrRecords: [(address: String, name: String)],
        txtRecords: [(name: String, text: String)], mxRecords: [(name: String, host: String, preference: Int)],
        rawRecords: [(name: String, type: Int, data: [UInt8])], configuration: String?, temp: TemporaryDirectory
    ) throws {
        func arguments(port: UInt16, log: String) throws -> [String] {
            var arguments = [
                "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--port=\(port)",
                "--listen-address=127.0.0.1", "--bind-interfaces", "--pid-file=", "--log-queries",
                "--log-facility=\(log)", "--local=/in-addr.arpa/", "--local=/ip6.arpa/", "--local=/test/",
                "--local=/com/", "--local=/net/", "--local=/example/",
            ]
            if getuid() == 0 { arguments.append("--user=root") }
            arguments += hostRecords.map { "--host-record=\($0.0),\($0.1)" }
            arguments += ptrRecords.map { "--ptr-record=\(Self.reverseName($0.address)),\($0.name)" }
            // TXT records go in a configuration file: only there does dnsmasq read a quoted text, in which a
            // comma is text rather than a break between strings.
            if !txtRecords.isEmpty {
                let file = temp.path("dnsmasq-\(port).conf")
                try txtRecords.map { "txt-record=\($0.name),\"\($0.text)\"\n" }.joined()
                    .write(toFile: file, atomically: true, encoding: .utf8)
                arguments[1] = "--conf-file=\(file)"
            }
            if let configuration { arguments[1] = "--conf-file=\(configuration)" }
            arguments += mxRecords.map { "--mx-host=\($0.name),\($0.host),\($0.preference)" }
            arguments += rawRecords.map { record in
                "--dns-rr=\(record.name),\(record.type),"
                    + record.data.map {
                        String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16)
                    }
                    .joined()
            }
            return arguments
        }
        // A free port may be taken by another test before dnsmasq binds it: then dnsmasq exits, and it
        // starts again on another.
        var failures: [String] = []
        for _ in 0..<5 {
            let port = try Self.freePort()
            let log = temp.path("dnsmasq-\(port).log")
            let errors = temp.path("dnsmasq-\(port).err")
            let pid = try Spawn.start(binary, try arguments(port: port, log: log), log: errors)
            // Ready once it logs that it started (and listens); a loaded machine may take seconds.
            for _ in 0..<1_000 {
                if let text = try? String(contentsOfFile: log, encoding: .utf8), text.contains("started") {
                    self.port = port
                    self.pid = pid
                    logPath = log
                    return
                }
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid { break }
                usleep(20_000)
            }
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            failures.append((try? String(contentsOfFile: errors, encoding: .utf8)) ?? "no message")
        }
        throw StartError(description: "dnsmasq did not start: \(failures.joined(separator: "; "))")
    }

    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    /// How many questions of `type` (`TXT`, `MX`, `A`) for `name` the server has logged.
    public func questions(_ type: String, for name: String) -> Int {
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return log.split(separator: "\n").filter { $0.contains("query[\(type)] \(name) from") }.count
    }

    deinit {
        // SIGKILL: a child of the test runner inherits its blocked signals, and dnsmasq then never sees SIGTERM.
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    /// `127.0.0.1:PORT`, for `--dns-server`.
    public var address: String { "127.0.0.1:\(port)" }

    /// How many queries of any type the server has received.
    public var queries: Int {
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return log.components(separatedBy: " query[").count - 1
    }

    static func reverseName(_ address: String) -> String {
        address.split(separator: ".").reversed().joined(separator: ".") + ".in-addr.arpa"
    }

    /// A UDP port nobody uses right now on 127.0.0.1.
    public static func freePort() throws -> UInt16 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }
}

/// A UDP socket on a loopback port that receives queries and never answers: a DNS server that hangs.
public final class SilentServer {
    public let port: UInt16
    private let socket: Int32

    public init() throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.socket = socket
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(socket) }

    public var address: String { "127.0.0.1:\(port)" }

    /// The questions waiting on the socket, read without blocking: each a datagram never answered.
    public func questionsReceived() -> Int {
        var count = 0
        var buffer = [UInt8](repeating: 0, count: 1_500)
        while recv(socket, &buffer, buffer.count, Int32(MSG_DONTWAIT)) > 0 { count += 1 }
        return count
    }
}
