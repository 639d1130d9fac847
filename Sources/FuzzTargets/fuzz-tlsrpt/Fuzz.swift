// Fuzz target for the TLS-RPT parser (see fuzz-dmarc for how it is built and run).
import FuzzReplay
import TLSRPTParser

func check(_ bytes: [UInt8]) {
    _ = try? TLSRPTParser().parse(bytes)
}

#if FUZZING
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { fuzzOne(data, size, check) }

    @_cdecl("fuzz_tlsrpt_main")
    public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        runLibFuzzer(argc, argv, check: check)
    }
#else
    @main
    enum Replay {
        static func main() { replay(check) }
    }
#endif
