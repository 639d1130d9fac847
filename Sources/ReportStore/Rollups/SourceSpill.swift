import Foundation
import ReportModel

/// Per-source counts of one report that did not fit in memory: sorted runs written to a temporary file
/// (unlinked as soon as it is made, so nothing is left behind whatever happens to the process), merged
/// back in key order when the report is rolled up. Memory holds one read buffer per run.
final class SourceSpill {
    typealias Entry = (key: RollupAccumulator.SourceKey, counts: RollupAccumulator.SourceCounts)

    private let descriptor: Int32
    private var runs: [Range<Int64>] = []
    private var size: Int64 = 0

    init() throws {
        var template = Array(
            (NSTemporaryDirectory() as NSString).appendingPathComponent("rua-rollup-XXXXXX").utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw StoreError("cannot create a temporary file for a large report's rollup (errno \(errno))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    }

    deinit {
        close(descriptor)
    }

    /// Writes `entries` as one run, in key order.
    func write(_ entries: [Entry]) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.count * 112)
        for index in Self.keyOrder(entries) {
            Self.append(entries[index], to: &bytes)
        }
        let written = bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let result = pwrite(
                    descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(size) + off_t(done))
                if result <= 0 { return -1 }
                done += result
            }
            return done
        }
        guard written == bytes.count else {
            throw StoreError("cannot write a large report's rollup to a temporary file (errno \(errno))")
        }
        runs.append(size..<size + Int64(bytes.count))
        size += Int64(bytes.count)
    }

    /// Every key of every run once, in key order, with its counts added up across runs.
    func merged(_ body: (Entry) throws -> Void) throws {
        var readers = try runs.map { try RunReader(descriptor: descriptor, range: $0) }
        // A binary min-heap of run indices by their current entry.
        var heap: [Int] = []
        /// Whether run `a`'s current entry comes before run `b`'s.
        func before(_ a: Int, _ b: Int) -> Bool {
            Self.precedes(readers[a].prefix, readers[a].current!.key, readers[b].prefix, readers[b].current!.key)
        }
        func siftUp(_ start: Int) {
            var child = start
            while child > 0 {
                let parent = (child - 1) / 2
                guard before(heap[child], heap[parent]) else { return }
                heap.swapAt(child, parent)
                child = parent
            }
        }
        func siftDown(_ start: Int) {
            var parent = start
            while true {
                var smallest = parent
                for child in [2 * parent + 1, 2 * parent + 2]
                where child < heap.count && before(heap[child], heap[smallest]) {
                    smallest = child
                }
                guard smallest != parent else { return }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        for run in readers.indices where readers[run].current != nil {
            heap.append(run)
            siftUp(heap.count - 1)
        }
        var pending: Entry?
        while let top = heap.first {
            let entry = readers[top].current!
            if pending?.key == entry.key {
                pending!.counts.add(entry.counts)
            } else {
                if let pending { try body(pending) }
                pending = entry
            }
            try readers[top].advance()
            if readers[top].current == nil {
                heap.swapAt(0, heap.count - 1)
                heap.removeLast()
            }
            if !heap.isEmpty { siftDown(0) }
        }
        if let pending { try body(pending) }
    }

    /// The indices of `entries` in key order (``precedes(_:_:)``): sorted by the first bytes of the source
    /// as numbers, whole keys compared only on a tie.
    static func keyOrder(_ entries: [Entry]) -> [Int] {
        entries.indices.map { (prefix(entries[$0].key.sourceIP), $0) }.sorted {
            precedes($0.0, entries[$0.1].key, $1.0, entries[$1.1].key)
        }.map(\.1)
    }

    /// ``precedes(_:_:)`` for keys whose ``prefix(_:)`` is at hand: the prefixes decide unless they tie.
    private static func precedes(
        _ aPrefix: Prefix, _ a: RollupAccumulator.SourceKey, _ bPrefix: Prefix, _ b: RollupAccumulator.SourceKey
    ) -> Bool {
        aPrefix != bPrefix ? aPrefix < bPrefix : precedes(a, b)
    }

    /// The order of keys in runs and of rollup rows: the bytes of the source, then of header_from (SQLite's
    /// own order for text).
    static func precedes(_ a: RollupAccumulator.SourceKey, _ b: RollupAccumulator.SourceKey) -> Bool {
        let first = TextOrder.compare(a.sourceIP, b.sourceIP)
        return first != 0 ? first < 0 : TextOrder.compare(a.headerFrom, b.headerFrom) < 0
    }

    /// The first 32 bytes of `text`, zero-padded, as numbers that sort as the bytes do.
    typealias Prefix = (UInt64, UInt64, UInt64, UInt64)

    fileprivate static func prefix(_ text: String) -> Prefix {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { raw in
            for (offset, byte) in text.utf8.prefix(32).enumerated() { raw[offset] = byte }
        }
        return (words.0.bigEndian, words.1.bigEndian, words.2.bigEndian, words.3.bigEndian)
    }

    /// An entry as written: the two key strings (length-prefixed UTF-8), then the nine counts.
    private static func append(_ entry: Entry, to bytes: inout [UInt8]) {
        for text in [entry.key.sourceIP, entry.key.headerFrom] {
            withUnsafeBytes(of: UInt32(text.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: text.utf8)
        }
        let counts = entry.counts
        let values = (
            counts.messages.littleEndian, counts.dmarcPass[0].littleEndian, counts.dmarcPass[1].littleEndian,
            counts.dmarcPass[2].littleEndian, counts.dmarcPass[3].littleEndian, counts.dkimAligned[0].littleEndian,
            counts.dkimAligned[1].littleEndian, counts.spfAligned[0].littleEndian, counts.spfAligned[1].littleEndian
        )
        withUnsafeBytes(of: values) { bytes.append(contentsOf: $0) }
    }

    /// Reads one run back entry by entry, through a buffer refilled in place.
    private struct RunReader {
        let descriptor: Int32
        var next: Int64
        let end: Int64
        var buffer: [UInt8] = []
        var position = 0
        var current: Entry?
        /// ``SourceSpill/prefix(_:)`` of the current entry's source.
        var prefix: SourceSpill.Prefix = (0, 0, 0, 0)

        static let bufferSize = 16 * 1024
        static let countsSize = 9 * MemoryLayout<Int64>.size

        init(descriptor: Int32, range: Range<Int64>) throws {
            self.descriptor = descriptor
            self.next = range.lowerBound
            self.end = range.upperBound
            try advance()
        }

        mutating func advance() throws {
            guard position < buffer.count || next < end else {
                current = nil
                return
            }
            let sourceIP = try text()
            let headerFrom = try text()
            try ensure(Self.countsSize)
            var counts = RollupAccumulator.SourceCounts()
            buffer.withUnsafeBytes { raw in
                func value(_ index: Int) -> Int64 {
                    Int64(littleEndian: raw.loadUnaligned(fromByteOffset: position + index * 8, as: Int64.self))
                }
                counts.messages = value(0)
                counts.dmarcPass = SIMD4(value(1), value(2), value(3), value(4))
                counts.dkimAligned = SIMD2(value(5), value(6))
                counts.spfAligned = SIMD2(value(7), value(8))
            }
            position += Self.countsSize
            current = (RollupAccumulator.SourceKey(sourceIP: sourceIP, headerFrom: headerFrom), counts)
            prefix = SourceSpill.prefix(sourceIP)
        }

        private mutating func text() throws -> String {
            try ensure(4)
            let count = Int(
                UInt32(
                    littleEndian: buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: position, as: UInt32.self) }
                ))
            position += 4
            try ensure(count)
            defer { position += count }
            return buffer.withUnsafeBufferPointer {
                String(decoding: UnsafeBufferPointer(rebasing: $0[position..<position + count]), as: UTF8.self)
            }
        }

        /// Makes sure `count` unread bytes are in the buffer.
        private mutating func ensure(_ count: Int) throws {
            guard buffer.count - position < count else { return }
            buffer.removeFirst(position)
            position = 0
            let wanted = max(Self.bufferSize, count)
            let available = Int(min(Int64(wanted), end - next))
            guard buffer.count + available >= count else {
                throw StoreError("a large report's rollup file ends early")
            }
            let kept = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: available))
            let read = buffer.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress! + kept, available, off_t(next))
            }
            guard read == available else {
                throw StoreError("cannot read a large report's rollup back (errno \(errno))")
            }
            next += Int64(available)
        }
    }
}
