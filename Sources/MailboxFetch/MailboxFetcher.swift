import Foundation
import NetworkClient
import ReportModel
import ReportPipeline

/// What `rua fetch` does with a message once its outcome is committed.
public enum AfterFetch: Sendable, Equatable {
    /// Move it to this folder (levels separated by `/`), created when missing.
    case move(String)
    /// Flag it \Seen and leave it; only unseen messages are fetched.
    case seen
    /// Leave it as it is; only messages with a UID above the last one handled are fetched.
    case leave
}

public struct FetchOptions: Sendable {
    public var after: AfterFetch = .move("Archive/Rua")
    /// Where messages that held no report go (after being kept with their reason); nil: as reports.
    public var otherFolder: String?
    public var caFile: String?
    public var allowPlaintext = false
    /// Fetch at most this many messages in a run.
    public var limit: Int?
    /// Seconds a read may wait.
    public var timeout = 60
    /// The SASL mechanism for a bearer token (`xoauth2`, `oauthbearer`); nil: as the server offers.
    public var bearerMechanism: String?
    /// For `leave`: the highest UID handled in an earlier run of this folder, and its UIDVALIDITY.
    public var checkpoint: (uidValidity: UInt32, uid: UInt32)?

    public init() {}
}

/// One mailbox being fetched: connected and logged in, its messages offered to the import one at a
/// time (``next()``), each acknowledged on the server (moved or flagged) only after the import has
/// committed its outcome. Acknowledgements arrive on the import's writing thread and are carried out
/// on this connection between fetches, and at ``finish()``, so one connection does both.
public final class MailboxFetcher: InputSource, @unchecked Sendable {
    public let account: MailboxAccount
    let options: FetchOptions
    let session: IMAPSession
    public private(set) var uidValidity: UInt32 = 0
    private var uids: [UInt32] = []
    private var index = 0
    private var announced = false
    private let lock = NSLock()
    /// Committed messages waiting for their move: UID and whether it held a report.
    private var committed: [(uid: UInt32, report: Bool)] = []
    /// UIDs whose outcome was committed (for `leave`'s checkpoint).
    private var handled: Set<UInt32> = []
    /// What went wrong on the server side: named in the summary; the first that ended the run.
    public private(set) var problems: [NetworkError] = []
    public private(set) var lost: NetworkError?
    /// Messages offered before ``next()`` pauses (returns nil), so that the caller can save how far it
    /// got (`--after leave`) and go on with ``startBatch()``; nil: no pause.
    public var batchSize: Int?
    private var offeredInBatch = 0

    public func startBatch() { offeredInBatch = 0 }

    /// Asked before each message: true ends the run after the message in hand (SIGTERM).
    public var shouldStop: @Sendable () -> Bool = { false }
    public private(set) var fetched = 0
    public private(set) var moved = 0
    public private(set) var flagged = 0

    /// Connects, logs in and selects the folder; finds the messages to fetch.
    public init(account: MailboxAccount, secret: Secret, options: FetchOptions) throws {
        self.account = account
        self.options = options
        let connection = try MailConnection(
            host: account.host, port: account.port, server: account.server, timeout: options.timeout)
        session = IMAPSession(connection: connection)
        session.bearerMechanism = options.bearerMechanism
        try session.open(
            implicitTLS: account.implicitTLS, caFile: options.caFile, allowPlaintext: options.allowPlaintext)
        try session.login(user: account.user, secret: secret)
        try refresh()
    }

    /// Selects the folder again and lists what is to fetch (after IDLE or a poll, and at the start).
    public func refresh() throws {
        let selected = try session.select(account.folder)
        uidValidity = selected.uidValidity
        var found: [UInt32]
        switch options.after {
        // Messages another client marked \Deleted are on their way out: not fetched.
        case .move: found = try session.search("UNDELETED")
        case .seen: found = try session.search("UNSEEN UNDELETED")
        case .leave:
            // A new UIDVALIDITY voids the checkpoint: everything is fetched again and the duplicates found.
            let last = options.checkpoint.flatMap { $0.uidValidity == uidValidity ? $0.uid : nil } ?? 0
            found = try session.search("UID \(last + 1):*").filter { $0 > last }
        }
        if let limit = options.limit { found = Array(found.prefix(limit)) }
        uids = found
        index = 0
        announced = false
        offeredInBatch = 0
    }

    public var pending: Int { uids.count - index }

    public func next() -> SourceEvent? {
        acknowledgeCommitted()
        if !announced {
            announced = true
            if !uids.isEmpty { return .found(uids.count) }
        }
        while index < uids.count, lost == nil, !shouldStop(), offeredInBatch < (batchSize ?? Int.max) {
            let uid = uids[index]
            index += 1
            let name = account.inputName(uidValidity: uidValidity, uid: uid)
            do {
                guard let message = try session.fetch(uid, spoolDirectory: nil) else { continue }
                fetched += 1
                offeredInBatch += 1
                let input = ImportInput(name: name, content: .spooled(message)) { [weak self] items in
                    // A message holding a report (stored or already stored) is a report; anything else
                    // was kept with its reason, and goes to the other folder.
                    let report = items.contains {
                        $0.kind != nil && ($0.outcome == .stored || $0.outcome == .duplicate)
                    }
                    self?.commit(uid, report: report)
                }
                return .input(input)
            } catch let error as NetworkError {
                lost = error
                return .unreadable(name: name, reason: error.message)
            } catch {
                lost = NetworkError(.unavailable, "\(account.server): \(error)")
                return .unreadable(name: name, reason: "\(error)")
            }
        }
        return nil
    }

    private func commit(_ uid: UInt32, report: Bool) {
        lock.lock()
        committed.append((uid, report))
        lock.unlock()
    }

    /// Carries out the acknowledgements committed so far (on the server: moves, flags).
    public func acknowledgeCommitted() {
        lock.lock()
        let batch = committed
        committed = []
        lock.unlock()
        guard !batch.isEmpty, lost == nil else {
            if !batch.isEmpty { handled.formUnion(batch.map(\.uid)) }
            return
        }
        do {
            switch options.after {
            case .move(let folder):
                let reports = batch.filter(\.report).map(\.uid)
                let others = batch.filter { !$0.report }.map(\.uid)
                count(reports, moved: try session.move(reports, to: folder))
                count(others, moved: try session.move(others, to: options.otherFolder ?? folder))
            case .seen:
                let reports = batch.filter(\.report).map(\.uid)
                let others = batch.filter { !$0.report }.map(\.uid)
                try session.flagSeen(reports)
                flagged += reports.count
                if let other = options.otherFolder {
                    count(others, moved: try session.move(others, to: other))
                } else {
                    try session.flagSeen(others)
                    flagged += others.count
                }
            case .leave:
                if let other = options.otherFolder {
                    let others = batch.filter { !$0.report }.map(\.uid)
                    count(others, moved: try session.move(others, to: other))
                }
            }
            handled.formUnion(batch.map(\.uid))
        } catch let error as NetworkError {
            // Stored but not moved: the next run finds them stored and moves them then.
            problems.append(error)
            if error.kind == .unavailable { lost = error }
        } catch {
            problems.append(NetworkError(.unavailable, "\(error)"))
        }
    }

    private func count(_ uids: [UInt32], moved: Bool) {
        if moved { self.moved += uids.count } else { flagged += uids.count }
    }

    /// The highest UID up to which every fetched message was committed (for `leave`).
    public var checkpoint: UInt32? {
        var last: UInt32?
        for uid in uids[..<index] {
            guard handled.contains(uid) else { break }
            last = uid
        }
        return last
    }

    /// Carries out the acknowledgements still waiting (the import has ended) and logs out.
    public func finish() {
        acknowledgeCommitted()
        session.logout()
    }

    /// Waits for new mail: IDLE where the server offers it, else `poll` seconds; false when `stop` said
    /// so first.
    public func wait(poll: Int, stop: () -> Bool) throws -> Bool {
        if session.capabilities.contains("IDLE") {
            // Servers may drop an idle client after 30 minutes: idle at most 25, then look again.
            _ = try session.idle(seconds: min(poll, 25 * 60), stop: stop)
            return !stop()
        }
        let deadline = Date().addingTimeInterval(Double(poll))
        while Date() < deadline {
            if stop() { return false }
            usleep(200_000)
        }
        return true
    }
}
