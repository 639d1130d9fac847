import CZlibShim
import Foundation
import ZIPFoundation

/// Real gzip, zlib and zip bytes for tests, made with zlib and ZIPFoundation.
public enum Compression {
    /// A single gzip member.
    public static func gzip(_ bytes: [UInt8]) -> [UInt8] { deflate(bytes, windowBits: 15 + 16) }

    /// A zlib (RFC 1950) stream.
    public static func zlib(_ bytes: [UInt8]) -> [UInt8] { deflate(bytes, windowBits: 15) }

    public static func gzip(_ text: String) -> [UInt8] { gzip(Array(text.utf8)) }

    private static func deflate(_ input: [UInt8], windowBits: Int32) -> [UInt8] {
        var stream = z_stream()
        _ = rua_deflateInit2(&stream, 6, windowBits)
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 64)
        var input = input
        let produced = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target -> Int in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                _ = CZlibShim.deflate(&stream, Z_FINISH)
                return target.count - Int(stream.avail_out)
            }
        }
        return Array(output.prefix(produced))
    }

    /// A member of a zip built by ``zip(_:)``.
    public struct Member {
        public var path: String
        public var bytes: [UInt8]?
        public var compressed: Bool

        /// A file member; `compressed: false` stores it uncompressed.
        public static func file(_ path: String, _ bytes: [UInt8], compressed: Bool = true) -> Member {
            Member(path: path, bytes: bytes, compressed: compressed)
        }

        public static func directory(_ path: String) -> Member {
            Member(path: path, bytes: nil, compressed: false)
        }
    }

    /// A zip archive in memory.
    public static func zip(_ members: [Member]) throws -> [UInt8] {
        let archive = try Archive(data: Data(), accessMode: .create)
        for member in members {
            if let bytes = member.bytes {
                try archive.addEntry(
                    with: member.path, type: .file, uncompressedSize: Int64(bytes.count),
                    compressionMethod: member.compressed ? .deflate : .none
                ) { position, size in
                    Data(bytes[Int(position)..<Int(position) + size])
                }
            } else {
                try archive.addEntry(with: member.path, type: .directory, uncompressedSize: Int64(0)) { _, _ in Data() }
            }
        }
        return Array(archive.data ?? Data())
    }
}

extension Compression {
    /// Inflates a gzip member (for reading gzip fixtures in tests).
    public static func gunzip(_ bytes: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        _ = rua_inflateInit2(&stream, 15 + 32)
        defer { inflateEnd(&stream) }
        var input = bytes
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        try input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            while true {
                let (status, produced) = buffer.withUnsafeMutableBufferPointer { target -> (Int32, Int) in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, target.count - Int(stream.avail_out))
                }
                output += buffer.prefix(produced)
                if status == Z_STREAM_END { return }
                guard status == Z_OK else { throw CocoaError(.fileReadCorruptFile) }
            }
        }
        return output
    }
}
