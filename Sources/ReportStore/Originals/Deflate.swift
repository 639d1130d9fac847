import CZlibShim

/// One-shot zlib compression of the chunks in which inputs' originals are kept.
public enum Deflate {
    /// The chunk size of kept originals: 1 MiB of the original per chunk.
    public static let chunkSize = 1 << 20

    /// zlib-compresses `bytes` at level 1 (fast; report XML still shrinks about thirty-fold).
    public static func compress(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var capacity = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { target in
            compress2(
                target.baseAddress, &capacity, bytes.baseAddress?.assumingMemoryBound(to: Bytef.self),
                uLong(bytes.count), 1)
        }
        precondition(status == Z_OK, "zlib compress2 failed with \(status) despite a compressBound buffer")
        return Array(output.prefix(Int(capacity)))
    }

    public struct CorruptChunk: Error, CustomStringConvertible {
        public var description: String { "a kept chunk of the original does not inflate" }
    }

    /// Inflates one chunk made by ``compress(_:)``.
    public static func decompress(_ bytes: [UInt8]) throws -> [UInt8] {
        var capacity = uLong(chunkSize)
        var output = [UInt8](repeating: 0, count: chunkSize)
        let status = output.withUnsafeMutableBufferPointer { target in
            bytes.withUnsafeBufferPointer { source in
                uncompress(target.baseAddress, &capacity, source.baseAddress, uLong(source.count))
            }
        }
        guard status == Z_OK else { throw CorruptChunk() }
        return Array(output.prefix(Int(capacity)))
    }
}
