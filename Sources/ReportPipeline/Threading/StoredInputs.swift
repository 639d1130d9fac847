import Foundation
import ReportStore

/// Opens when the writer has the database open (and migrated), or fails when it cannot be opened.
final class DatabaseGate: @unchecked Sendable {
    // @unchecked: `state` is read and written with `condition` locked.
    private let condition = NSCondition()
    /// `nil` while the database is being opened.
    private var state: Bool?

    func open() { settle(true) }

    func fail() { settle(false) }

    /// Whether the database is open, without waiting.
    var isOpen: Bool {
        condition.lock()
        defer { condition.unlock() }
        return state == true
    }

    /// Waits until the database is open (`true`) or could not be opened (`false`).
    func wait() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while state == nil { condition.wait() }
        return state == true
    }

    private func settle(_ value: Bool) {
        condition.lock()
        state = value
        condition.broadcast()
        condition.unlock()
    }
}

/// The reader's view of the inputs stored before this run, through a read-only connection opened once the
/// database is open. Until then the reader reads and parses without it: recognising a stored input early
/// only spares parsing it, since the writer checks every input in its transaction.
final class StoredInputs: @unchecked Sendable {
    // @unchecked: used by the reader's thread alone once the import has started.
    private let path: String
    private let gate: DatabaseGate
    private var lookup: InputLookup?
    private var settled = false

    init(path: String, gate: DatabaseGate) {
        self.path = path
        self.gate = gate
    }

    /// The lookup, once the database is open; `nil` before that, or when it cannot be opened for reading.
    /// - Parameter waiting: wait for the database to be open (to read inputs kept in it).
    func lookup(waiting: Bool = false) -> InputLookup? {
        if settled { return lookup }
        if waiting ? !gate.wait() : !gate.isOpen { return nil }
        settled = true
        lookup = try? InputLookup(path: path)
        return lookup
    }

    func close() {
        lookup?.close()
        lookup = nil
    }
}
