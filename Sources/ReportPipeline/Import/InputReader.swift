import Foundation
import ReportIngest
import ReportModel
import ReportStore
import WorkQueues

/// The reading side of an import, run on its own thread: takes the inputs of its source one at a time,
/// reads and hashes each, recognises one stored before this run, unpacks and parses it, and hands it
/// to the writer as a job whose parts follow as they are found. It never writes to the database.
struct InputReader {
    var source: any InputSource
    /// Inputs stored before this run (those stored by this run are caught by the writer, which decides
    /// in its transaction).
    let storedInputs: StoredInputs
    let unpacker: Unpacker
    let jobs: BoundedQueue<Job>
    /// Shared by the jobs and their parts.
    let budget: QueueBudget

    /// Files up to this size are read once into memory; larger ones are streamed (hashed, then parsed,
    /// then read again in chunks by the writer) so that memory stays bounded.
    static let wholeFileLimit: Int64 = 16 << 20

    /// Reads every input of the source, then ends the queue of jobs.
    mutating func run() {
        while !jobs.isClosed, let event = source.next() {
            if case .input(let input) = event {
                read(input)
            } else {
                jobs.send(.note(event))
            }
        }
        storedInputs.close()
        jobs.end()
    }

    private func read(_ input: ImportInput) {
        let content: OpenedContent
        do {
            content = try OpenedContent(input.content, name: input.name, wholeFileLimit: Self.wholeFileLimit)
        } catch {
            jobs.send(.note(.unreadable(name: input.name, reason: (error as? IngestError)?.message ?? "\(error)")))
            return
        }
        // An input run again from the database is not looked for among the stored ones: it is one of them.
        let lookingUp = input.keptInputID == nil
        if lookingUp, let sha256 = content.sha256, let items = storedItems(of: input, sha256: sha256) {
            jobs.send(.input(InputJob(input, content: content, storedItems: items, budget: budget)))
            return
        }
        let job = InputJob(input, content: content, budget: budget)
        guard jobs.send(.input(job)) else { return }
        let visitor = JobVisitor(job: job)
        if lookingUp, let pending = content.pendingDigest {
            // Hashed while it is read: once the digest is there, an input stored before stops being read.
            // Importing the 1,000,000-record report again took 0.5-1.1 s with this, 4.2 s without
            // (`Scripts/bench import`, "again" lines).
            visitor.checkpoint = { [unowned visitor] in
                guard pending.isReady else { return }
                visitor.checkpoint = nil
                if let items = storedItems(of: input, sha256: try pending.value()) { throw StoredAlready(items: items) }
            }
        }
        let location = InputLocation(path: input.name, members: input.members)
        do {
            if let bytes = content.bytes {
                try unpacker.unpack(bytes: bytes, location: location, visitor: visitor)
            } else {
                try unpacker.unpack(fileAt: content.file, location: location, visitor: visitor)
            }
            job.finish(.complete)
        } catch let stored as StoredAlready {
            job.finish(.storedAlready(stored.items))
        } catch {
            job.finish(.unreadable((error as? IngestError)?.message ?? "\(error)"))
        }
    }

    /// Thrown out of the unpacker when a large input's digest shows it stored already.
    private struct StoredAlready: Error {
        var items: [ImportItem]
    }

    /// The items of the input with this content when it was stored before this run, as reported for
    /// this input.
    private func storedItems(of input: ImportInput, sha256: [UInt8]) -> [ImportItem]? {
        do {
            guard let items = try storedInputs.lookup()?.knownInput(sha256: sha256, name: input.name),
                !items.isEmpty
            else { return nil }
            return input.reported(items)
        } catch {
            // The read-only look-up is an optimisation; the writer decides in its transaction.
            return nil
        }
    }
}
