// Fuzz target for the MIME reader (see fuzz-dmarc for how it is built and run).
import FuzzReplay
import ReportIngest

func check(_ bytes: [UInt8]) {
    let message = MIMEParser.parse(bytes)
    for part in message.allParts {
        _ = part.filename
        _ = part.decodedBody
        _ = part.headers.decoded("Subject")
    }
}

#if FUZZING
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { fuzzOne(data, size, check) }

    @_cdecl("fuzz_mime_main")
    public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        runLibFuzzer(argc, argv, check: check)
    }
#else
    @main
    enum Replay {
        static func main() { replay(check) }
    }
#endif
