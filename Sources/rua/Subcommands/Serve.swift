import ArgumentParser
import Foundation
import ReportModel
import ReportServer
import ReportService

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Serve the database: a dashboard, a JSON API, an HTTPS intake of TLS reports and uploads, Prometheus metrics.",
        discussion: """
            Pages: / (domains, what needs attention), /domain/DOMAIN, /source/ADDRESS, /reports, /quarantine; \
            each takes ?days=7|30|90 or ?since=DATE&until=DATE and links to its JSON and CSV. API: \
            /api/digest, /api/summary[.csv], /api/failures[.csv], /api/reports[.csv] (page, per_page), \
            /api/tls, /api/quarantine: the documents of the matching commands. /metrics for Prometheus. \
            POST /tlsrpt takes TLS reports from any sender (application/tlsrpt+json or +gzip, RFC 8460); \
            POST /upload takes any report file or message with a write token. Answers 201 stored, 200 \
            already stored, 422 kept with the reason, 413, 415, 429, 503 (send again), always after the \
            outcome is committed.

            Without --accounts or --tokens, Rua listens on loopback only. Accounts (HTTP Basic, bcrypt \
            hashes: --hash-password) and tokens (Bearer, SHA-256 hashes: --new-token) may read; write \
            tokens may also upload and reprocess.

            Exit status: 0 stopped by SIGTERM or SIGINT; 64 usage (a public address without accounts or \
            tokens, unreadable credential files); 66 no database; 69 the address cannot be listened on.
            """
    )

    @Option(help: ArgumentHelp("Address and port to listen on (port 0: any free one).", valueName: "host:port"))
    var listen = "127.0.0.1:8080"

    @Option(help: ArgumentHelp("Accounts that may read: NAME:BCRYPT-HASH lines.", valueName: "file"))
    var accounts: String?

    @Option(help: ArgumentHelp("Bearer tokens: NAME:read|write:SHA256-HEX lines.", valueName: "file"))
    var tokens: String?

    @Option(help: ArgumentHelp("Largest request body accepted, bytes.", valueName: "bytes"))
    var maxBodyBytes = 10 * 1024 * 1024

    @Option(help: ArgumentHelp("Most decompressed bytes one report may have.", valueName: "bytes"))
    var maxReportBytes: Int64 = ReportService.defaultMaxReportBytes

    @Option(help: ArgumentHelp("Intake requests allowed per client address per minute.", valueName: "n"))
    var intakePerMinute = 120

    @Option(help: ArgumentHelp("Seconds a page is served again while imports change the data.", valueName: "seconds"))
    var cacheSeconds: Double = 10

    @Option(help: ArgumentHelp("Serve HTTPS with this PEM certificate chain (with --tls-key).", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("The certificate's PEM private key.", valueName: "file"))
    var tlsKey: String?

    @Flag(help: "Read a password on standard input and print its bcrypt hash for --accounts, then exit.")
    var hashPassword = false

    @Option(
        help: ArgumentHelp(
            "Print a new random token named NAME and its line for --tokens, then exit.", valueName: "name"))
    var newToken: String?

    @Option(help: ArgumentHelp("The new token's scope: read or write.", valueName: "scope"))
    var scope = "read"

    @OptionGroup var store: StoreOptions

    /// `HOST:PORT`, `[V6]:PORT`.
    var address: (host: String, port: Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65_535).contains(port)
        else { return nil }
        var host = String(listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    func validate() throws {
        guard address != nil else { throw ValidationError("--listen takes HOST:PORT, such as 127.0.0.1:8080") }
        guard Credentials.Scope(rawValue: scope) != nil else { throw ValidationError("--scope takes read or write") }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        for file in [tlsCert, tlsKey].compactMap({ $0 }) where !FileManager.default.isReadableFile(atPath: file) {
            throw ValidationError("\(file): cannot be read")
        }
        guard maxBodyBytes > 0, intakePerMinute > 0, cacheSeconds >= 0 else {
            throw ValidationError("--max-body-bytes and --intake-per-minute must be positive")
        }
    }

    func run() throws {
        if hashPassword {
            guard let password = readLine(strippingNewline: true), !password.isEmpty else {
                throw ValidationError("give the password on standard input")
            }
            print(Credentials.hash(password: password))
            return
        }
        if let newToken {
            guard !newToken.isEmpty, !newToken.contains(":") else { throw ValidationError("a token name has no ':'") }
            let made = Credentials.newToken(name: newToken, scope: Credentials.Scope(rawValue: scope) ?? .read)
            print("token (give it to the client; it is not kept): \(made.token)")
            print("line for the --tokens file: \(made.line)")
            return
        }
        let (host, port) = address!
        let credentials: Credentials
        do {
            credentials = try Credentials(accountsFile: accounts, tokensFile: tokens)
        } catch let error as Credentials.FileError {
            throw ValidationError(error.description)
        }
        guard ServerConfiguration.isLoopback(host) || !credentials.isEmpty else {
            throw ValidationError(
                "\(host) is not a loopback address: give --accounts or --tokens, or serve behind a reverse proxy on 127.0.0.1"
            )
        }
        let service = try store.open()
        service.close()
        let pinned = ProcessInfo.processInfo.environment["RUA_NOW"].flatMap { $0.isEmpty ? nil : try? currentTime() }
        let configuration = ServerConfiguration(
            host: host, port: port, database: try store.location(), accountsFile: accounts, tokensFile: tokens,
            maxBodyBytes: maxBodyBytes, maxReportBytes: maxReportBytes, intakePerMinute: intakePerMinute,
            cacheSeconds: cacheSeconds, tlsCertificate: tlsCert, tlsKey: tlsKey,
            now: { pinned ?? Int64(Date().timeIntervalSince1970) })
        let outcome = ServeOutcome()
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await ReportServer.run(configuration, credentials: credentials) { port in
                    let shown = host.contains(":") ? "[\(host)]" : host
                    printError("rua serve: listening on \(tlsCert == nil ? "http" : "https")://\(shown):\(port)/")
                }
            } catch {
                outcome.failure = "\(error)"
            }
            done.signal()
        }
        done.wait()
        if let failure = outcome.failure {
            printError("rua serve: cannot serve on \(listen): \(failure)")
            throw ExitStatus.unavailable
        }
    }
}

/// How the server stopped, written by its task before the command reads it.
final class ServeOutcome: @unchecked Sendable {
    var failure: String?
}
