/// Serves a pulling consumer from whole chunks: libxml2 asks for a few kilobytes at a time, while a file
/// or an inflater is best read a chunk at once. The first chunk is what was read to sniff the content.
final class ChunkFeeder {
    private let chunk: UnsafeMutableRawBufferPointer
    private var count: Int
    private var taken = 0
    private let refill: (UnsafeMutableRawBufferPointer) throws -> Int

    /// - Parameters:
    ///   - chunk: the buffer, owned by the caller; its first `count` bytes are served first.
    ///   - refill: fills the buffer with the next bytes and returns how many; 0 at the end.
    init(
        _ chunk: UnsafeMutableRawBufferPointer, count: Int,
        refill: @escaping (UnsafeMutableRawBufferPointer) throws -> Int
    ) {
        self.chunk = chunk
        self.count = count
        self.refill = refill
    }

    /// Fills `buffer` from the chunk, refilling the chunk when it is used up; 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if taken == count { (count, taken) = (try refill(chunk), 0) }
        let served = min(buffer.count, count - taken)
        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: chunk[taken..<taken + served]))
        taken += served
        return served
    }
}
