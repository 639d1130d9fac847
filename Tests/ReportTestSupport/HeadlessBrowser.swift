import Foundation

/// Debian's Chromium, headless, driven by `Scripts/browser-check.py`, for what only a browser can say about
/// a page: how wide it lays out at an exact width, what it fetches (the network is cut), what colours it
/// shows in dark mode, and how it looks (screenshots).
public enum HeadlessBrowser {
    public static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
    }

    public enum Scheme: String, Sendable, CaseIterable {
        case light
        /// `prefers-color-scheme: dark`, as Apple Mail and iOS ask for it.
        case dark
        /// Dark, and Chromium's automatic darkening on top, as clients that invert colours do.
        case forced
    }

    /// What the page measured of itself after loading.
    public struct Measurement: Decodable, Sendable {
        public var innerWidth: Double
        public var scrollWidth: Double
        /// Every resource the page asked for (none for a self-contained page).
        public var resources: [String]
        /// Elements reaching past the right edge of the window: tag and the start of their text.
        public var wide: [String]
        /// The computed colours of the page's text and background (`rgb(…)`).
        public var color: String
        public var background: String
    }

    /// Lays the page out `width` pixels wide in `scheme`; saves a full-page screenshot when asked.
    public static func measure(
        _ page: URL, width: Int, scheme: Scheme = .light, screenshot: URL? = nil
    ) throws
        -> Measurement
    {
        let script = SampleReports.packageRoot.appendingPathComponent("Scripts/browser-check.py").path
        var arguments = [script, page.path, "--width", String(width), "--scheme", scheme.rawValue]
        if let screenshot { arguments += ["--screenshot", screenshot.path] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BrowserError(
                "browser-check.py exited with \(process.terminationStatus): \(String(decoding: errors, as: UTF8.self))")
        }
        return try JSONDecoder().decode(Measurement.self, from: data)
    }

    public struct BrowserError: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
