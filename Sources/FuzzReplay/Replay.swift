import Foundation

/// Runs `check` over every file named on the command line (and every file in a directory named there):
/// how fuzz targets built without libFuzzer replay their crashers and seeds.
public func replay(_ check: ([UInt8]) -> Void) {
    var count = 0
    for argument in CommandLine.arguments.dropFirst() {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else { continue }
        let files =
            isDirectory.boolValue
            ? ((try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []).sorted().map {
                (argument as NSString).appendingPathComponent($0)
            } : [argument]
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            check(Array(data))
            count += 1
        }
    }
    print("replayed \(count) inputs")
}

#if FUZZING
    nonisolated(unsafe) private var currentCheck: (([UInt8]) -> Void)?

    /// Runs one input through the target's check: what `LLVMFuzzerTestOneInput` does.
    public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int, _ check: ([UInt8]) -> Void) -> CInt {
        guard let data else { return 0 }
        check(Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }

    /// Hands control to libFuzzer's driver with `check` as the target. SwiftPM links an executable's
    /// entry point as `<module>_main`, so each target exports that name and calls this.
    public func runLibFuzzer(
        _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, check: @escaping ([UInt8]) -> Void
    ) -> CInt {
        currentCheck = check
        var count = argc
        var arguments = argv
        return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzOne(data, size) { currentCheck?($0) } }
    }

    @_silgen_name("LLVMFuzzerRunDriver")
    private func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt
#endif
