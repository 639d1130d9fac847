import Foundation
import ReportIngest
import ReportModel
import ReportTestSupport
import Testing

@Suite struct FileReadingTests {
    @Test func readsUntilTheBufferIsFullOrTheFileEndsAndAtAnOffset() throws {
        let temp = try TemporaryDirectory()
        let path = temp.path("bytes")
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let handle = try #require(FileHandle(forReadingAtPath: path))
        defer { try? handle.close() }
        #expect(try FileReading.read(handle.fileDescriptor, count: 100_000) == Array(bytes[0..<100_000]))
        #expect(try FileReading.read(handle.fileDescriptor, count: 500_000) == Array(bytes[100_000...]))
        #expect(try FileReading.read(handle.fileDescriptor, count: 10).isEmpty)
        #expect(try FileReading.read(handle.fileDescriptor, count: 5, at: 299_998) == Array(bytes[299_998...]))
        #expect(try FileReading.read(handle.fileDescriptor, count: 3, at: 7) == Array(bytes[7..<10]))
    }

    @Test func aPipeDeliveringSmallPiecesStillFillsTheBuffer() throws {
        let pipe = Pipe()
        let pieces = (0..<50).map { index in [UInt8](repeating: UInt8(index), count: 1_000) }
        let writer = Thread {
            for piece in pieces {
                pipe.fileHandleForWriting.write(Data(piece))
                usleep(200)
            }
            try? pipe.fileHandleForWriting.close()
        }
        writer.start()
        let first = try FileReading.read(pipe.fileHandleForReading.fileDescriptor, count: 30_000)
        let rest = try FileReading.read(pipe.fileHandleForReading.fileDescriptor, count: 30_000)
        #expect(first == Array(pieces.joined().prefix(30_000)))
        #expect(rest == Array(pieces.joined().dropFirst(30_000)))
    }
}
