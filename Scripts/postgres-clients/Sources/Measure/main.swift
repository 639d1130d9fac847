import CLibPQ
import Foundation
import Logging
import NIOPosix
import PostgresNIO

// Why Rua's store speaks to PostgreSQL through libpq: round trips of one statement, and COPY of rows shaped
// like Rua's records, through libpq (synchronous, as the store is) and through postgres-nio (async; and
// called from synchronous code, as the store would have to), against Scripts/test-services' cluster.
// Not part of Rua's build: `swift run -c release --package-path Scripts/postgres-clients` (as root, with the
// cluster running).
let password = try String(contentsOfFile: "/var/lib/rua-test/password", encoding: .utf8)
    .trimmingCharacters(in: .whitespacesAndNewlines)
let roundTrips = 20_000
let copyRows = 1_000_000
let socketDirectory = "/var/lib/rua-test/postgres"

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = Date()
    try body()
    return Date().timeIntervalSince(start)
}

func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = Date()
    try await body()
    return Date().timeIntervalSince(start)
}

/// A record-like row in COPY's text format.
func copyText(rows: Range<Int>) -> [UInt8] {
    var out = [UInt8]()
    out.reserveCapacity(rows.count * 200)
    for i in rows {
        out += Array("\(i)\t1\t192.0.2.\(i % 250)\t\(i % 9 + 1)\tnone\tpass\tpass\t\\N\t\\N\texample.com\t\\N\t15\t3\texample.com\ts1\tpass\t\\N\texample.com\tmfrom\tpass\t\\N\n".utf8)
    }
    return out
}

let table = """
    CREATE TEMP TABLE r (id bigint PRIMARY KEY, report_id bigint, source_ip text, count bigint, disposition text,
      dkim text, spf text, envelope_to text, envelope_from text, header_from text, extensions text, alignment bigint,
      inline_auth bigint, dkim1_domain text, dkim1_selector text, dkim1_result text, dkim1_human_result text,
      spf1_domain text, spf1_scope text, spf1_result text, spf1_human_result text)
    """

// libpq
func libpq(_ conninfo: String, label: String) {
    let connection = PQconnectdb(conninfo + " password=\(password)")
    guard PQstatus(connection) == CONNECTION_OK else { fatalError(String(cString: PQerrorMessage(connection))) }
    PQclear(PQprepare(connection, "s", "SELECT $1::bigint", 1, nil))
    let trips = seconds {
        for i in 0..<roundTrips {
            let text = String(i)
            text.withCString { value in
                var values: [UnsafePointer<CChar>?] = [value]
                let result = PQexecPrepared(connection, "s", 1, &values, nil, nil, 0)
                precondition(PQresultStatus(result) == PGRES_TUPLES_OK)
                PQclear(result)
            }
        }
    }
    PQclear(PQexec(connection, table))
    let data = copyText(rows: 0..<copyRows)
    let copy = seconds {
        PQclear(PQexec(connection, "COPY r FROM STDIN"))
        var offset = 0
        while offset < data.count {
            let end = min(offset + 1 << 20, data.count)
            data[offset..<end].withUnsafeBufferPointer { chunk in
                chunk.baseAddress!.withMemoryRebound(to: CChar.self, capacity: chunk.count) {
                    _ = PQputCopyData(connection, $0, Int32(chunk.count))
                }
            }
            offset = end
        }
        PQputCopyEnd(connection, nil)
        let result = PQgetResult(connection)
        precondition(PQresultStatus(result) == PGRES_COMMAND_OK, String(cString: PQerrorMessage(connection)))
        PQclear(result)
        while let more = PQgetResult(connection) { PQclear(more) }
    }
    print(String(format: "libpq %@: %.1f µs a round trip; COPY of %d rows %.2f s", label, trips / Double(roundTrips) * 1e6, copyRows, copy))
    PQfinish(connection)
}

libpq("host=\(socketDirectory) port=15432 user=rua dbname=postgres", label: "socket")
libpq("host=127.0.0.1 port=15432 user=rua dbname=postgres sslmode=require", label: "TCP+TLS")

// postgres-nio
let logger = Logger(label: "measure")
func nio(socket: Bool) async throws {
    var tls = TLSConfiguration.makeClientConfiguration()
    tls.certificateVerification = .none
    let configuration: PostgresConnection.Configuration =
        socket
        ? .init(unixSocketPath: "\(socketDirectory)/.s.PGSQL.15432", username: "rua", password: password, database: "postgres")
        : .init(host: "127.0.0.1", port: 15432, username: "rua", password: password, database: "postgres", tls: .require(try .init(configuration: tls)))
    let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
    let label = socket ? "socket" : "TCP+TLS"
    let trips = try await seconds {
        for i in 0..<roundTrips {
            let rows = try await connection.query("SELECT \(Int64(i))::bigint", logger: logger)
            for try await _ in rows {}
        }
    }
    // From synchronous code, as Rua's store is: each statement waits on a semaphore for the event loop.
    let bridged = seconds {
        for i in 0..<(roundTrips / 4) {
            let done = DispatchSemaphore(value: 0)
            Task {
                let rows = try await connection.query("SELECT \(Int64(i))::bigint", logger: logger)
                for try await _ in rows {}
                done.signal()
            }
            done.wait()
        }
    }
    _ = try await connection.query(PostgresQuery(unsafeSQL: table), logger: logger).collect()
    let data = copyText(rows: 0..<copyRows)
    let copy = try await seconds {
        try await connection.copyFrom(table: "r", logger: logger) { writer in
            var offset = 0
            while offset < data.count {
                let end = min(offset + 1 << 20, data.count)
                try await writer.write(ByteBuffer(bytes: data[offset..<end]))
                offset = end
            }
        }
    }
    print(String(format: "postgres-nio %@: %.1f µs a round trip (async), %.1f µs called from synchronous code; COPY of %d rows %.2f s",
                 label, trips / Double(roundTrips) * 1e6, bridged / Double(roundTrips / 4) * 1e6, copyRows, copy))
    try await connection.close()
}
try await nio(socket: true)
try await nio(socket: false)
