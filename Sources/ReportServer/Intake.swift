import Foundation
import ReportModel
import ReportPipeline
import ReportService

/// Uploads as inputs of the import pipeline: each request's body becomes an ``ImportInput`` whose
/// acknowledgement answers the request, so a client hears "stored" only once its report is committed
/// (or kept with its reason). One thread runs the pipeline over a queue the handlers fill; the
/// pipeline's reader waits on the queue when it is empty.
final class Intake: @unchecked Sendable {
    /// What became of an upload.
    enum Outcome: Sendable {
        case done([ImportItem])
        /// The database failed or the import stopped: nothing is known to be stored.
        case failed(String)
    }

    private let condition = NSCondition()
    private var waiting: [(ImportInput, UploadTicket)] = []
    /// Handed to the pipeline, not yet acknowledged: failed if the pipeline stops.
    private var inFlight: [ObjectIdentifier: UploadTicket] = [:]
    private var stopped = false
    private let configuration: ServerConfiguration

    init(configuration: ServerConfiguration) {
        self.configuration = configuration
    }

    /// Starts the thread that runs the pipeline (again, after a failure of the database).
    func start() {
        let thread = Thread { [self] in
            while !isStopped {
                let importer = Importer(
                    databaseAt: configuration.database, busyTimeout: 30,
                    maxReportBytes: configuration.maxReportBytes)
                let failure: String
                do {
                    _ = try importer.importInputs(from: Source(intake: self)) { _ in }
                    failure = "the import stopped"
                } catch {
                    failure = "the database failed: \(error)"
                }
                importer.close()
                failInFlight(failure)
                if !isStopped { Thread.sleep(forTimeInterval: 1) }
            }
        }
        thread.name = "rua intake"
        thread.start()
    }

    func stop() {
        condition.withLock {
            stopped = true
            condition.broadcast()
        }
    }

    private var isStopped: Bool { condition.withLock { stopped } }

    /// Imports `bytes` as one input named `name`; returns once its outcome is committed.
    func submit(name: String, bytes: [UInt8]) async -> Outcome {
        let ticket = UploadTicket()
        return await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            ticket.arm(continuation)
            let input = ImportInput(name: name, content: .bytes(bytes)) { [weak self] items in
                self?.condition.withLock { _ = self?.inFlight.removeValue(forKey: ObjectIdentifier(ticket)) }
                ticket.finish(.done(items))
            }
            condition.withLock {
                waiting.append((input, ticket))
                condition.broadcast()
            }
        }
    }

    /// The next upload, waiting for one; nil once stopped.
    fileprivate func next() -> ImportInput? {
        condition.lock()
        defer { condition.unlock() }
        while waiting.isEmpty && !stopped { condition.wait() }
        guard !stopped else { return nil }
        let (input, ticket) = waiting.removeFirst()
        inFlight[ObjectIdentifier(ticket)] = ticket
        return input
    }

    private func failInFlight(_ reason: String) {
        let tickets = condition.withLock {
            let tickets = Array(inFlight.values)
            inFlight.removeAll()
            return tickets
        }
        for ticket in tickets { ticket.finish(.failed(reason)) }
    }

    private struct Source: InputSource {
        let intake: Intake
        mutating func next() -> SourceEvent? { intake.next().map { .input($0) } }
    }
}

/// One upload's answer, given once.
final class UploadTicket: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Intake.Outcome, Never>?

    func arm(_ continuation: CheckedContinuation<Intake.Outcome, Never>) {
        lock.withLock { self.continuation = continuation }
    }

    func finish(_ outcome: Intake.Outcome) {
        let continuation = lock.withLock {
            let continuation = self.continuation
            self.continuation = nil
            return continuation
        }
        continuation?.resume(returning: outcome)
    }
}
