import Foundation
import Testing

/// The repository's own fixtures under `SampleReports/`, found from this file's path.
public enum SampleReports {
    /// The package root.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static let root = packageRoot.appendingPathComponent("SampleReports")

    public static func url(_ relative: String) -> URL {
        root.appendingPathComponent(relative)
    }

    public static func path(_ relative: String) -> String {
        url(relative).path
    }

    public static func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url(relative)))
    }

    /// The sample folders, relative to the package root (the README beside them is not a report).
    public static let folders = SampleManifest.shared.folders.map {
        "SampleReports/\($0)"
    }

    /// Relative paths of the files in a folder of SampleReports/, sorted.
    public static func files(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url(folder).path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { "\(folder)/\($0)" }
    }
}

/// The shared corpus of real reports beside the repository (`../shared/corpus`), if present.
public enum Corpus {
    public static let root: URL = SampleReports.packageRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/corpus")

    public static var isAvailable: Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent("truth.json").path)
    }

    /// Why tests that need the corpus are skipped.
    public static var missing: Comment { "../shared/corpus is absent (looked in \(root.path))" }

    /// `truth.json`: what a correct parser must extract from each corpus file.
    public static func truth() throws -> [String: Any] {
        let data = try Data(contentsOf: root.appendingPathComponent("truth.json"))
        return (try JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }
}

/// The `rua` executable built beside the test bundle.
public enum RuaExecutable {
    public static var url: URL {
        let bundle = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }
        let directory =
            bundle.map { URL(fileURLWithPath: $0.bundlePath).deletingLastPathComponent() }
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return directory.appendingPathComponent("rua")
    }

    /// Runs `rua` with `arguments`; returns its exit status, standard output and standard error.
    /// Runs in the package root, so that relative sample paths appear in its output.
    /// - Parameter viaShell: `arguments` are a command line of their own (`/bin/sh -c …`), run instead of
    ///   `rua` itself.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], input: [UInt8]? = nil, viaShell: Bool = false
    ) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        let process = Process()
        process.executableURL = viaShell ? URL(fileURLWithPath: arguments[0]) : url
        process.arguments = viaShell ? Array(arguments.dropFirst()) : arguments
        process.currentDirectoryURL = SampleReports.packageRoot
        var env = ProcessInfo.processInfo.environment
        env["RUA_DB"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input))
            try stdin.fileHandleForWriting.close()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self)
        )
    }
}

/// `SampleReports/manifest.json`: what importing the samples gives, so that adding a sample means
/// updating one file.
public struct SampleManifest: Decodable, Sendable {
    /// Outcome counts of one import.
    public struct Counts: Decodable, Sendable {
        public var inputs: Int
        public var stored: Int
        public var duplicates: Int
        public var rejected: Int
        public var skipped: Int
        /// E-mail messages read (the `message` table's rows).
        public var messagesRead: Int?
        /// DMARC reports stored (the `report` table's rows; the rest of ``stored`` are TLS reports).
        public var dmarcReports: Int?

        enum CodingKeys: String, CodingKey {
            case inputs, stored, duplicates, rejected, skipped
            case messagesRead = "messages_read"
            case dmarcReports = "dmarc_reports"
        }
    }

    public var folders: [String]
    /// Every folder of ``folders``, imported together.
    public var all: Counts
    /// `dmarc/` alone.
    public var dmarc: Counts

    public static let shared: SampleManifest = {
        let url = SampleReports.packageRoot.appendingPathComponent("SampleReports/manifest.json")
        do {
            return try JSONDecoder().decode(SampleManifest.self, from: Data(contentsOf: url))
        } catch {
            fatalError("SampleReports/manifest.json cannot be read: \(error)")
        }
    }()
}
