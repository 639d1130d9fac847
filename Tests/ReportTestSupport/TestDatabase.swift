import CPostgres
import Foundation
import ReportModel
import ReportStore
import Testing

/// The engines the store runs on: tests that hold for both take one of ``available`` as their argument.
public enum TestEngine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgresql

    public var testDescription: String { rawValue }

    /// SQLite, and PostgreSQL when `Scripts/test-services` runs it. Without it the PostgreSQL cases are
    /// not run, and the PostgreSQL suites (``PostgresTestServer/enabled``) show as skipped, saying why.
    public static let available: [TestEngine] = PostgresTestServer.current == nil ? [.sqlite] : allCases
}

/// A database of one engine for one test: a file in the test's directory, or a database of its own on the
/// PostgreSQL that `Scripts/test-services` runs (created empty, dropped when this value goes).
public final class TestDatabase: @unchecked Sendable {
    public let engine: TestEngine
    /// What `--db` takes.
    public let argument: String
    public let location: DatabaseLocation
    private let name: String?

    /// `--db` and its value, for a command line.
    public var arguments: [String] { ["--db", argument] }

    public init(_ engine: TestEngine, in temp: TemporaryDirectory, file: String = "rua.sqlite") throws {
        self.engine = engine
        switch engine {
        case .sqlite:
            argument = temp.path(file)
            location = .sqlite(path: argument)
            name = nil
        case .postgresql:
            guard let server = PostgresTestServer.current else {
                throw StoreError("\(PostgresTestServer.skipReason)")
            }
            let name = "rua_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            try server.run("CREATE DATABASE \(name)")
            self.name = name
            argument = server.url(database: name)
            location = .postgresql(url: argument, password: server.password)
        }
    }

    deinit {
        if let name { try? PostgresTestServer.current?.run("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
    }

    /// The database opened in this process.
    public func open() throws -> ReportDatabase {
        try ReportDatabase(location: location)
    }
}

/// The throwaway PostgreSQL cluster of `Scripts/test-services` (its `services.json` names it).
public struct PostgresTestServer: Sendable {
    /// `postgresql://rua@127.0.0.1:15432/postgres`: the role tests connect as (it may create databases).
    public let maintenanceURL: String
    public let password: String
    /// The cluster's data directory and PostgreSQL's programs, for tests that stop and start it.
    public let dataDirectory: String
    public let binDirectory: String

    public static let skipReason: Comment = """
        the test PostgreSQL server is not running (Scripts/test-services start, as root; Scripts/test runs it): \
        the PostgreSQL tests, and the PostgreSQL cases of the tests run on both engines, are not run
        """

    /// The trait of the tests that need this server.
    public static var enabled: ConditionTrait { .enabled(if: current != nil, skipReason) }

    public static let current: PostgresTestServer? = {
        let directory = ProcessInfo.processInfo.environment["RUA_TEST_DIR"] ?? "/var/lib/rua-test"
        guard let data = FileManager.default.contents(atPath: directory + "/services.json"),
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let url = json["postgresql"] as? String, let passwordFile = json["password_file"] as? String,
            let dataDirectory = json["postgresql_data"] as? String, let bin = json["postgresql_bin"] as? String,
            let password = FileManager.default.contents(atPath: passwordFile).map({
                String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            })
        else { return nil }
        let server = PostgresTestServer(
            maintenanceURL: url, password: password, dataDirectory: dataDirectory, binDirectory: bin)
        // Child processes (the rua executable) find the password where libpq looks.
        setenv("PGPASSWORD", password, 1)
        return (try? server.run("SELECT 1")) != nil ? server : nil
    }()

    /// The URL of database `name` on this server.
    public func url(database name: String) -> String {
        String(maintenanceURL[..<maintenanceURL.lastIndex(of: "/")!]) + "/" + name
    }

    /// Runs one statement on the maintenance database.
    public func run(_ sql: String) throws {
        try run(sql, on: maintenanceURL)
    }

    /// Runs one statement on a database; returns the first column of the first row, if any.
    @discardableResult
    public func run(_ sql: String, on url: String) throws -> String? {
        let keywords = ["dbname", "password", "connect_timeout"]
        let values = [url, password, "10"]
        let connection = keywords.withCStringArray { k in values.withCStringArray { v in PQconnectdbParams(k, v, 1) } }
        defer { PQfinish(connection) }
        guard PQstatus(connection) == CONNECTION_OK else {
            throw StoreError("cannot connect to \(url): \(String(cString: PQerrorMessage(connection)))")
        }
        guard let result = PQexec(connection, sql) else { throw StoreError("\(sql): no result") }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK: return nil
        case PGRES_TUPLES_OK:
            guard PQntuples(result) > 0, PQgetisnull(result, 0, 0) == 0 else { return nil }
            return String(cString: PQgetvalue(result, 0, 0))
        default: throw StoreError("\(sql): \(String(cString: PQresultErrorMessage(result)))")
        }
    }
}

extension Array where Element == String {
    fileprivate func withCStringArray<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = map { strdup($0) }
        pointers.append(nil)
        defer { for pointer in pointers { free(pointer) } }
        return pointers.map { UnsafePointer($0) }.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
