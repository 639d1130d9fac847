import DMARCParser
// Fuzz target for the DMARC parser. Built normally, it replays the files given as arguments (crashers kept
// as regression fixtures); built with `Scripts/fuzz dmarc SECONDS`, it is a libFuzzer target.
import FuzzReplay

func check(_ bytes: [UInt8]) {
    _ = try? DMARCParser().parse(bytes, fileName: "google.com!example.com!1764547200!1764633599.xml")
}

#if FUZZING
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
        check(Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }

    /// SwiftPM links an executable's entry point as `<module>_main`; hand it to libFuzzer's driver.
    @_cdecl("fuzz_dmarc_main")
    public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var count = argc
        var arguments = argv
        return LLVMFuzzerRunDriver(&count, &arguments) { data, size in
            guard let data else { return 0 }
            return fuzz(data, size)
        }
    }

    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt
#else
    @main
    enum Replay {
        static func main() { replay(check) }
    }
#endif
