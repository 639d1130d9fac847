import Foundation
import Testing

/// Compares `actual` with the file `Snapshots/<name>` beside the calling test file. With
/// `RECORD_SNAPSHOTS=1` in the environment the file is (re)written and the test fails, so that a
/// recording is never mistaken for a pass.
public func assertSnapshot(
    _ actual: String, named name: String, filePath: StaticString = #filePath,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let directory = URL(fileURLWithPath: "\(filePath)").deletingLastPathComponent().appendingPathComponent("Snapshots")
    let file = directory.appendingPathComponent(name)
    let record = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1"
    guard !record, let expected = try? String(contentsOf: file, encoding: .utf8) else {
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try? actual.write(to: file, atomically: true, encoding: .utf8)
        Issue.record("snapshot \(name) recorded; run the tests again", sourceLocation: sourceLocation)
        return
    }
    #expect(actual == expected, "output differs from Snapshots/\(name)", sourceLocation: sourceLocation)
}
