import Foundation
import Testing

/// Validates JSON output against the schemas in `Schemas/` with Python's `jsonschema` (Draft 2020-12),
/// Debian's `python3-jsonschema`.
public enum JSONSchemaCheck {
    public static let isAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", "import jsonschema"]
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus == 0
        } catch {
            return false
        }
    }()

    public static let missing: Comment =
        "python3 with jsonschema is not installed (Scripts/install-deps.sh installs it)"

    /// The path of `Schemas/NAME.schema.json`.
    public static func schema(_ name: String) -> String {
        SampleReports.packageRoot.appendingPathComponent("Schemas/\(name).schema.json").path
    }

    /// What is wrong with `output` by the schema `name`: as one document, or (`lines`) as NDJSON whose
    /// every line is validated against the document's rows (or, for a schema without rows, the whole).
    /// Empty when valid.
    public static func errors(in output: String, schema name: String, lines: Bool = false) throws -> [String] {
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            if sys.argv[2] == "lines":
                if "rows" in schema.get("properties", {}):
                    schema = dict(schema["properties"]["rows"]["items"], **{"$schema": schema["$schema"]})
                docs = [json.loads(line) for line in sys.stdin.read().splitlines() if line]
            else:
                docs = [json.loads(sys.stdin.read())]
            validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
            errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for d in docs for e in validator.iter_errors(d)]
            print("\\n".join(errors[:20]))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script, schema(name), lines ? "lines" : "document"]
        let input = Pipe()
        let out = Pipe()
        process.standardInput = input
        process.standardOutput = out
        process.standardError = out
        try process.run()
        // Written from a thread of its own: a large document fills the pipe while Python's errors fill the other.
        let data = Data(output.utf8)
        let writer = Thread {
            input.fileHandleForWriting.write(data)
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let result = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return result.split(separator: "\n").map(String.init)
            + (process.terminationStatus == 0 ? [] : ["python exited \(process.terminationStatus)"])
    }
}
