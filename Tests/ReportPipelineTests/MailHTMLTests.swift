import Foundation
import ReportTestSupport
import Testing

/// The HTML digest and failure report as mail clients and browsers see them.
@Suite struct MailHTMLTests {
    /// The sample database with the hostile report's long strings: the digest with every domain
    /// detailed, and the failure report.
    static func pages(_ temp: TemporaryDirectory) throws -> [(name: String, html: String)] {
        let db = try AnalysisCommandTests.sampleDatabase(temp)
        let hostile = try temp.write("hostile.xml", AnalysisCommandTests.hostileReport.xml)
        _ = try RuaExecutable.run(["import", "--quiet", "--db", db, hostile], environment: AnalysisCommandTests.now)
        var pages: [(String, String)] = []
        for (name, command) in [
            ("digest", ["digest", "--detail", "all"]), ("failures", ["failures", "--last", "7d"]),
        ] {
            let result = try RuaExecutable.run(
                command + ["--db", db, "--format", "html"], environment: AnalysisCommandTests.now)
            #expect(result.status == 0, "\(result.stderr)")
            pages.append((name, result.stdout))
        }
        return pages
    }

    @Test func theHTMLReferencesNothingOutsideItselfAndNothingMailClientsDrop() throws {
        let temp = try TemporaryDirectory()
        for page in try Self.pages(temp) {
            let lower = page.html.lowercased()
            for forbidden in [
                "src=", "href=", "url(", "@import", "<link", "<img", "<script", "<svg", "<iframe", "data:",
            ] {
                #expect(!lower.contains(forbidden), "\(page.name) contains \(forbidden)")
            }
            // Layout by tables with inline styles: every table carries its own.
            #expect(!lower.contains("display:flex") && !lower.contains("position:"))
            #expect(lower.components(separatedBy: "<table").count > 3)
            #expect(lower.contains("name=\"color-scheme\" content=\"light dark\""))
        }
    }

    @Test(
        .enabled(
            if: HeadlessBrowser.isInstalled, "Debian's chromium is not installed (Scripts/install-deps.sh installs it)")
    )
    func theHTMLFitsAt1280And400PixelsInLightAndDarkModeAndLoadsNothing() throws {
        let temp = try TemporaryDirectory()
        // Screenshots go where RUA_SCREENSHOTS says (kept for a look), else into the temporary directory.
        let shots = ProcessInfo.processInfo.environment["RUA_SCREENSHOTS"].map { URL(fileURLWithPath: $0) } ?? temp.url
        try FileManager.default.createDirectory(at: shots, withIntermediateDirectories: true)
        for page in try Self.pages(temp) {
            let file = temp.url.appendingPathComponent("\(page.name).html")
            try page.html.write(to: file, atomically: true, encoding: .utf8)
            for (width, scheme) in [(1280, .light), (400, .light), (400, .dark), (400, .forced)]
                as [(Int, HeadlessBrowser.Scheme)]
            {
                let label = "\(page.name) at \(width) px, \(scheme)"
                let shot = shots.appendingPathComponent("\(page.name)-\(width)-\(scheme).png")
                let seen = try HeadlessBrowser.measure(file, width: width, scheme: scheme, screenshot: shot)
                #expect(seen.innerWidth == Double(width), "\(label): window \(seen.innerWidth) px")
                #expect(seen.scrollWidth <= seen.innerWidth, "\(label) overflows: \(seen.scrollWidth) px, \(seen.wide)")
                #expect(seen.wide.isEmpty, "\(label): \(seen.wide)")
                #expect(seen.resources.isEmpty, "\(label) loads \(seen.resources)")
                #expect(FileManager.default.fileExists(atPath: shot.path))
                let text = Self.luminance(seen.color)
                let background = Self.luminance(seen.background)
                if scheme == .light {
                    #expect(background > 0.9 && text < 0.2, "\(label): \(seen.color) on \(seen.background)")
                } else {
                    #expect(background < 0.2 && text > 0.7, "\(label): \(seen.color) on \(seen.background)")
                }
            }
        }
    }

    /// Relative luminance (0 black … 1 white) of a computed `rgb(r, g, b)` colour.
    static func luminance(_ css: String) -> Double {
        let numbers = css.split(whereSeparator: { !"0123456789.".contains($0) }).compactMap { Double($0) }
        guard numbers.count >= 3 else { return -1 }
        return (0.2126 * numbers[0] + 0.7152 * numbers[1] + 0.0722 * numbers[2]) / 255
    }
}
