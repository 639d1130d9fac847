// Fuzz target for unpacking: sniffing, gzip/zlib, zip, and e-mail (see fuzz-dmarc for how it is built
// and run). Payloads are read to the end and dropped.
import FuzzReplay
import ReportIngest
import ReportModel

final class Sink: UnpackVisitor, PayloadConsumer {
    func open(_ format: ReportFormat, at location: InputLocation, wholeInput: Bool) throws -> any PayloadConsumer {
        self
    }
    func skipped(at location: InputLocation, reason: String) throws {}
    func rejected(_ error: IngestError) throws {}
    func write(_ bytes: UnsafeRawBufferPointer) throws -> Bool { true }
    func finish(diagnostics: [Diagnostic]) throws {}
    func abort(_ error: IngestError) throws {}
}

func check(_ bytes: [UInt8]) {
    let limits = UnpackLimits(maxReportBytes: 16 << 20, maxZipMembers: 100)
    try? Unpacker(limits: limits).unpack(bytes: bytes, location: InputLocation(path: "fuzz"), visitor: Sink())
}

#if FUZZING
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { fuzzOne(data, size, check) }

    @_cdecl("fuzz_unpack_main")
    public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        runLibFuzzer(argc, argv, check: check)
    }
#else
    @main
    enum Replay {
        static func main() { replay(check) }
    }
#endif
