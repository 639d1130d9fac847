// The fuzzing executable. Built normally, `rua-fuzz TARGET FILE|DIR...` replays inputs (crashers kept as
// regression fixtures); built by `Scripts/fuzz TARGET SECONDS` with -DFUZZING, it is a libFuzzer binary
// whose target comes from the RUA_FUZZ_TARGET environment variable.
import Foundation

#if FUZZING
    nonisolated(unsafe) private var target: FuzzTarget?

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        guard let data, let target else { return 0 }
        target.check(Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }

    /// SwiftPM links an executable's entry point as `<module>_main`; hand control to libFuzzer's driver.
    @_cdecl("rua_fuzz_main")
    public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        let name = ProcessInfo.processInfo.environment["RUA_FUZZ_TARGET"] ?? ""
        guard let chosen = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("RUA_FUZZ_TARGET must be dmarc, tlsrpt, mime or unpack\n".utf8))
            return 64
        }
        target = chosen
        var count = argc
        var arguments = argv
        return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzOne(data, size) }
    }

    @_silgen_name("LLVMFuzzerRunDriver")
    private func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt
#else
    @main
    enum Replay {
        /// Runs the target's check over every file named (and every file in a directory named).
        static func main() {
            let arguments = CommandLine.arguments.dropFirst()
            guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
                FileHandle.standardError.write(Data("usage: rua-fuzz dmarc|tlsrpt|mime|unpack FILE|DIR...\n".utf8))
                exit(64)
            }
            var count = 0
            for argument in arguments.dropFirst() {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                    FileHandle.standardError.write(Data("rua-fuzz: \(argument): no such file or directory\n".utf8))
                    exit(66)
                }
                let files =
                    isDirectory.boolValue
                    ? ((try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []).sorted().map {
                        (argument as NSString).appendingPathComponent($0)
                    } : [argument]
                for file in files {
                    guard let data = FileManager.default.contents(atPath: file) else { continue }
                    target.check(Array(data))
                    count += 1
                }
            }
            print("replayed \(count) inputs")
        }
    }
#endif
