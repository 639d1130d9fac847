import Foundation
import ReportTestSupport
import Testing

/// `Scripts/install` installs Rua like a packaged tool: binary, man pages that render, completions that
/// load, systemd units that systemd accepts, all on one database path.
@Suite(.enabled(if: ManualGenerator.isBuilt, "generate-manual is not built (Scripts/test builds it)"))
struct InstallTests {
    static let generator = ManualGenerator.path

    static func shell(
        _ command: String, environment: [String: String] = [:]
    ) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        try RuaExecutable.run(["/bin/bash", "-c", command], environment: environment, viaShell: true)
    }

    @Test func installingGivesTheBinaryManPagesCompletionsAndUnits() throws {
        let temp = try TemporaryDirectory()
        // Staged as a package is: PREFIX=/usr under a DESTDIR.
        let prefix = temp.path("stage") + "/usr"
        let install = try Self.shell(
            "Scripts/install",
            environment: [
                "DESTDIR": temp.path("stage"), "PREFIX": "/usr", "RUA_BINARY": RuaExecutable.url.path,
                "RUA_MANUAL_GENERATOR": Self.generator,
            ])
        #expect(install.status == 0, "\(install.stderr)")
        #expect(try Self.shell("\(prefix)/bin/rua --version").stdout.first?.isNumber == true)

        let pages = try FileManager.default.contentsOfDirectory(atPath: prefix + "/share/man/man1").sorted()
        for command in ["rua", "rua-import", "rua-digest", "rua-export", "rua-quarantine-list", "rua-reprocess"] {
            #expect(pages.contains(command + ".1"), "\(command)")
        }
        for page in pages {
            let rendered = try Self.shell("MANWIDTH=80 man -l \(prefix)/share/man/man1/\(page)")
            #expect(rendered.status == 0 && rendered.stderr.isEmpty, "\(page): \(rendered.stderr)")
            #expect(rendered.stdout.contains("SYNOPSIS"), "\(page)")
        }

        let completion = try Self.shell(
            "source \(prefix)/share/bash-completion/completions/rua && complete -p rua")
        #expect(completion.stdout.contains("complete") && completion.stdout.hasSuffix(" rua\n"), "\(completion)")
        for file in ["share/zsh/site-functions/_rua", "share/fish/vendor_completions.d/rua.fish"] {
            let text = try String(contentsOfFile: prefix + "/" + file, encoding: .utf8)
            #expect(text.contains("rua") && text.contains("digest"), "\(file)")
        }

        let units = prefix + "/lib/systemd/system"
        for unit in [
            "rua-digest.service", "rua-import.service", "rua-alerts.service", "rua-fetch.service", "rua-check.service",
            "rua-serve.service",
        ] {
            let text = try String(contentsOfFile: units + "/" + unit, encoding: .utf8)
            #expect(text.contains("ExecStart=/usr/bin/rua "), "\(unit)")
            #expect(text.contains("RUA_DB=/var/lib/rua/rua.sqlite"), "\(unit)")
            // systemd checks the units as installed, the staged binary standing in for /usr/bin/rua.
            try text.replacingOccurrences(of: "ExecStart=/usr/bin/rua ", with: "ExecStart=\(prefix)/bin/rua ")
                .write(toFile: temp.path(unit), atomically: true, encoding: .utf8)
        }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") {
            let verified = try Self.shell(
                "cp \(units)/rua-digest.timer \(units)/rua-import.timer \(units)/rua-alerts.timer \(units)/rua-check.timer "
                    + "\(temp.path("")) && "
                    + "cd \(temp.path("")) && systemd-analyze verify --man=no rua-digest.service rua-digest.timer "
                    + "rua-import.service rua-import.timer rua-alerts.service rua-alerts.timer rua-fetch.service "
                    + "rua-check.service rua-check.timer rua-serve.service")
            #expect(verified.status == 0 && verified.stderr.isEmpty, "\(verified.stderr)")
        }
        #expect(FileManager.default.fileExists(atPath: prefix + "/share/rua/schemas/digest.schema.json"))
    }
}

/// swift-argument-parser's man page generator, built beside `rua` by `Scripts/test`.
enum ManualGenerator {
    static let path = RuaExecutable.url.deletingLastPathComponent().appendingPathComponent("generate-manual").path
    static let isBuilt = FileManager.default.isExecutableFile(atPath: path)
}
