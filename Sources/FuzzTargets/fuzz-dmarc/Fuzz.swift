import DMARCParser
// Fuzz target for the DMARC parser. Built normally, it replays the files given as arguments (crashers kept
// as regression fixtures); built with `Scripts/fuzz dmarc SECONDS`, it is a libFuzzer target.
import FuzzReplay

func check(_ bytes: [UInt8]) {
    _ = try? DMARCParser().parse(bytes, fileName: "google.com!example.com!1764547200!1764633599.xml")
}

#if FUZZING
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { fuzzOne(data, size, check) }

    @_cdecl("fuzz_dmarc_main")
    public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        runLibFuzzer(argc, argv, check: check)
    }
#else
    @main
    enum Replay {
        static func main() { replay(check) }
    }
#endif
