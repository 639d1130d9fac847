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
