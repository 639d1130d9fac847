import Foundation
import ReportModel
import ReportStore
import WorkQueues

/// Whether the import's database is open (`true`) or could not be opened (`false`): set once by the
/// writer, waited for by the reader.
typealias DatabaseGate = OneShot<Bool>

/// The reader's view of the inputs stored before this run, through a read-only connection opened once the
/// database is open. Until then the reader reads and parses without it: recognising a stored input early
/// only spares parsing it, since the writer checks every input in its transaction (the one place that
/// decides). It pays where inputs are re-read whole: importing the mbox of 1,000 messages again took
/// 0.11–0.12 s with it and 0.15–0.16 s without (`Scripts/bench import`, "again" lines); 1,000 small
/// files again take 0.15–0.16 s either way.
final class StoredInputs: @unchecked Sendable {
    // @unchecked: used by the reader's thread alone once the import has started.
    private let location: DatabaseLocation
    private let gate: DatabaseGate
    private var lookup: InputLookup?
    private var settled = false

    init(location: DatabaseLocation, gate: DatabaseGate) {
        self.location = location
        self.gate = gate
    }

    /// The lookup, once the database is open; `nil` before that, or when it cannot be opened for reading.
    /// - Parameter waiting: wait for the database to be open (to read inputs kept in it).
    func lookup(waiting: Bool = false) -> InputLookup? {
        if settled { return lookup }
        if waiting ? !gate.wait() : gate.current != true { return nil }
        settled = true
        lookup = try? InputLookup(location: location)
        return lookup
    }

    func close() {
        lookup?.close()
        lookup = nil
    }
}
