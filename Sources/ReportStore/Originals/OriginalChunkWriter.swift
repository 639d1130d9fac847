import ReportModel

/// Stores an original's chunks in order, as its source has them ready. Chunks stored while a report's
/// savepoint is open go if that report is rolled back; the writer is told and stores them again.
final class OriginalChunkWriter {
    private let blobID: Int64
    private let source: any OriginalSource
    private let insert: any PreparedSQL
    /// The number of chunks taken from the source so far.
    private(set) var taken = 0
    private var finished = false

    init(blobID: Int64, source: any OriginalSource, insert: any PreparedSQL) {
        self.blobID = blobID
        self.source = source
        self.insert = insert
    }

    /// Stores the chunks the source has ready, without waiting for more.
    func storeReady() throws {
        while !finished && source.isChunkReady {
            try storeNext()
        }
    }

    /// Stores every remaining chunk, waiting for each.
    func storeRest() throws {
        while !finished {
            try storeNext()
        }
    }

    /// A rollback removed the chunks taken since `count` were: store them again.
    func rolledBack(toChunkCount count: Int) throws {
        for index in count..<taken {
            try store(try source.chunk(at: index), seq: index)
        }
    }

    private func storeNext() throws {
        guard let chunk = try source.nextChunk() else {
            finished = true
            return
        }
        try store(chunk, seq: taken)
        taken += 1
    }

    private func store(_ chunk: [UInt8], seq: Int) throws {
        insert.bind(1, blobID)
        insert.bind(2, seq)
        insert.bind(3, blob: chunk)
        try insert.execute()
    }
}
