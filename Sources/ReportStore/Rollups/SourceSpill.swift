import Foundation

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
        for entry in entries.sorted(by: { Self.precedes($0.key, $1.key) }) {
            Self.append(entry, to: &bytes)
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
        func key(_ run: Int) -> RollupAccumulator.SourceKey { readers[run].current!.key }
        func siftUp(_ start: Int) {
            var child = start
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.precedes(key(heap[child]), key(heap[parent])) else { return }
                heap.swapAt(child, parent)
                child = parent
            }
        }
        func siftDown(_ start: Int) {
            var parent = start
            while true {
                var smallest = parent
                for child in [2 * parent + 1, 2 * parent + 2]
                where child < heap.count && Self.precedes(key(heap[child]), key(heap[smallest])) {
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

    static func precedes(_ a: RollupAccumulator.SourceKey, _ b: RollupAccumulator.SourceKey) -> Bool {
        (a.sourceIP, a.headerFrom) < (b.sourceIP, b.headerFrom)
    }

    /// An entry as written: the two key strings (length-prefixed UTF-8), then the nine counts.
    private static func append(_ entry: Entry, to bytes: inout [UInt8]) {
        for text in [entry.key.sourceIP, entry.key.headerFrom] {
            let utf8 = Array(text.utf8)
            withUnsafeBytes(of: UInt32(utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: utf8)
        }
        let counts = entry.counts
        let values = [
            counts.messages, counts.dmarcPass[0], counts.dmarcPass[1], counts.dmarcPass[2], counts.dmarcPass[3],
            counts.dkimAligned[0], counts.dkimAligned[1], counts.spfAligned[0], counts.spfAligned[1],
        ]
        for value in values {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
    }

    /// Reads one run back entry by entry, through a small buffer.
    private struct RunReader {
        let descriptor: Int32
        var next: Int64
        let end: Int64
        var buffer: [UInt8] = []
        var position = 0
        var current: Entry?

        static let bufferSize = 16 * 1024

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
            var values: [Int64] = []
            for _ in 0..<9 { values.append(Int64(littleEndian: try integer(Int64.self))) }
            var counts = RollupAccumulator.SourceCounts()
            counts.messages = values[0]
            counts.dmarcPass = SIMD4(values[1], values[2], values[3], values[4])
            counts.dkimAligned = SIMD2(values[5], values[6])
            counts.spfAligned = SIMD2(values[7], values[8])
            current = (RollupAccumulator.SourceKey(sourceIP: sourceIP, headerFrom: headerFrom), counts)
        }

        private mutating func text() throws -> String {
            let count = Int(UInt32(littleEndian: try integer(UInt32.self)))
            return String(decoding: try take(count), as: UTF8.self)
        }

        private mutating func integer<T: FixedWidthInteger>(_: T.Type) throws -> T {
            try take(MemoryLayout<T>.size).withUnsafeBytes { $0.loadUnaligned(as: T.self) }
        }

        private mutating func take(_ count: Int) throws -> [UInt8] {
            if buffer.count - position < count { try refill(atLeast: count) }
            defer { position += count }
            return Array(buffer[position..<position + count])
        }

        private mutating func refill(atLeast count: Int) throws {
            buffer.removeFirst(position)
            position = 0
            let wanted = max(Self.bufferSize, count)
            let available = Int(min(Int64(wanted), end - next))
            guard buffer.count + available >= count else {
                throw StoreError("a large report's rollup file ends early")
            }
            var chunk = [UInt8](repeating: 0, count: available)
            let read = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, available, off_t(next)) }
            guard read == available else {
                throw StoreError("cannot read a large report's rollup back (errno \(errno))")
            }
            buffer += chunk
            next += Int64(available)
        }
    }
}
