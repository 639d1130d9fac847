import Foundation
import ReportTestSupport
import XCTest

/// What the README's demo does, as one XCTest case (so the XCTest summary in the log counts a test).
final class DemoTests: XCTestCase {
    func testImportingTheSampleReportsThenSummarisingThem() throws {
        let temp = try TemporaryDirectory()
        let db = temp.path("demo.sqlite")
        let imported = try RuaExecutable.run(["import", "--db", db] + SampleReports.folders)
        XCTAssertEqual(imported.status, 65, "the invalid samples are rejected, so the import exits 65")
        XCTAssertTrue(imported.stdout.contains("\(SampleManifest.shared.all.stored) reports stored"), imported.stdout)
        let summary = try RuaExecutable.run(["summary", "--db", db])
        XCTAssertEqual(summary.status, 0)
        XCTAssertTrue(summary.stdout.hasPrefix("example.com  (all time)"), summary.stdout)
    }
}
