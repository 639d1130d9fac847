import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ReportModel
import ReportRendering
import ReportService

/// `rua serve`: the dashboard, the JSON API, the HTTPS intake of TLS reports and uploads, and the
/// Prometheus metrics, over one database that imports write to as well (SQLite's WAL: reads never wait
/// for an import). One process; database work runs off the event loops.
public enum ReportServer {
    /// Runs until SIGTERM or SIGINT. `onRunning` gets the port listened on (for `--listen …:0`).
    public static func run(
        _ configuration: ServerConfiguration, credentials: Credentials,
        onRunning: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws {
        let state = try ServerState(configuration: configuration, credentials: credentials)
        state.intake.start()
        defer {
            state.intake.stop()
            state.services.close()
        }
        var server = HTTPServerBuilder.http1()
        if let certificate = configuration.tlsCertificate, let key = configuration.tlsKey {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
            let tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            server = try .tls(.http1(), tlsConfiguration: tls)
        }
        let app = Application(
            router: Routes.router(state), server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Rua"),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: {
                var logger = Logger(label: "rua-serve")
                logger.logLevel = .warning
                return logger
            }())
        try await app.runService()
    }
}

/// A request's context: the client's address (rate limits, names of uploads) besides Hummingbird's own.
struct ServerContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    var client: String { remoteAddress?.ipAddress ?? "unknown" }
}

/// What every handler shares.
final class ServerState: Sendable {
    let configuration: ServerConfiguration
    let credentials: Credentials
    let services: ServicePool
    let intake: Intake
    let cache = PageCache()
    let limiter: RateLimiter
    let counters = IntakeCounters()
    /// Work that waits on SQLite runs here, never on an event loop.
    let queue = DispatchQueue(label: "rua serve database", attributes: .concurrent)

    init(configuration: ServerConfiguration, credentials: Credentials) throws {
        self.configuration = configuration
        self.credentials = credentials
        services = try ServicePool(location: configuration.database, size: 4)
        intake = Intake(configuration: configuration)
        limiter = RateLimiter(perMinute: configuration.intakePerMinute)
    }

    /// Runs `body` (which reads the database) on the database queue, with a connection of its own.
    func blocking<T: Sendable>(_ body: @escaping @Sendable (ReportService) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [services] in
                continuation.resume(with: Result { try services.with(body) })
            }
        }
    }

    private let versionLock = NSLock()
    private nonisolated(unsafe) var version: (value: Int64, time: Double) = (-1, 0)

    /// What changes when an import commits (the highest input and item ids), asked at most once a second.
    func dataVersion() async throws -> Int64 {
        let now = Date().timeIntervalSince1970
        if let kept = versionLock.withLock({ now - version.time < 1 ? version.value : nil }) { return kept }
        let value = try await blocking { try $0.dataVersion() }
        versionLock.withLock { version = (value, now) }
        return value
    }
}

/// The connections the handlers read through, one caller at a time each: a connection (and the snapshot
/// a multi-query read holds on it) belongs to one thread while it is used.
final class ServicePool: @unchecked Sendable {
    private let condition = NSCondition()
    private var idle: [ReportService]
    private let all: [ReportService]

    init(location: DatabaseLocation, size: Int) throws {
        all = try (0..<size).map { _ in try ReportService(location: location, busyTimeout: 30) }
        idle = all
    }

    func with<T>(_ body: (ReportService) throws -> T) throws -> T {
        let service = condition.withLock {
            while idle.isEmpty { condition.wait() }
            return idle.removeLast()
        }
        defer {
            condition.withLock {
                idle.append(service)
                condition.signal()
            }
        }
        return try body(service)
    }

    func close() {
        for service in all { service.close() }
    }
}

/// Counts of the intake since the server started, for `/metrics`.
final class IntakeCounters: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int64] = [:]

    func add(_ key: String) { lock.withLock { counts[key, default: 0] += 1 } }
    var all: [String: Int64] { lock.withLock { counts } }
}

/// Rendered pages kept for a while. A page is current while no other connection has committed since
/// (SQLite's data version) or for the configured seconds; a stale page is still served at once while one
/// rendering of its newer version runs, so a running import never makes readers wait for a render. Only a
/// page never rendered is waited for, and requests for it wait for the one rendering.
actor PageCache {
    struct Page: Sendable {
        var status: HTTPResponse.Status
        var contentType: String
        var body: [UInt8]
        var headers: [(String, String)] = []
    }

    private var pages: [String: (version: Int64, time: Double, page: Page)] = [:]
    private var rendering: [String: Task<Page, any Error>] = [:]

    func page(
        _ key: String, version: Int64, maxAge: Double, render: @escaping @Sendable () async throws -> Page
    ) async throws -> Page {
        let now = Date().timeIntervalSince1970
        if let kept = pages[key] {
            if kept.version != version && now - kept.time >= maxAge && rendering[key] == nil {
                rendering[key] = Task { try await self.finish(key, version: version, render) }
            }
            return kept.page
        }
        if let running = rendering[key] { return try await running.value }
        let task = Task { try await self.finish(key, version: version, render) }
        rendering[key] = task
        return try await task.value
    }

    private func finish(
        _ key: String, version: Int64, _ render: @escaping @Sendable () async throws -> Page
    ) async throws -> Page {
        defer { rendering[key] = nil }
        let page = try await render()
        if pages.count > 500 { pages.removeAll() }
        pages[key] = (version, Date().timeIntervalSince1970, page)
        return page
    }
}

/// Intake requests per client address in the current minute.
final class RateLimiter: @unchecked Sendable {
    private let lock = NSLock()
    private let perMinute: Int
    private var minute: Int64 = 0
    private var counts: [String: Int] = [:]

    init(perMinute: Int) { self.perMinute = perMinute }

    /// Whether `client` may make one more request now.
    func allow(_ client: String) -> Bool {
        let now = Int64(Date().timeIntervalSince1970) / 60
        return lock.withLock {
            if now != minute {
                minute = now
                counts.removeAll()
            }
            counts[client, default: 0] += 1
            return counts[client]! <= perMinute
        }
    }
}
