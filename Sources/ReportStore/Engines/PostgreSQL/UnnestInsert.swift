import GRDB

/// An INSERT of any number of rows as one statement, prepared once: each column's values go as one array
/// parameter, which `unnest` turns back into rows. A multi-row VALUES list is parsed and planned again
/// for every statement (an import of 1,000 small reports spent a third of the server's time on its
/// records' INSERTs so); this one costs a bind of one parameter per column.
final class UnnestInsert {
    private let statement: any PreparedSQL
    private let width: Int

    /// - Parameters:
    ///   - columns: each column's name and PostgreSQL type (`bigint`, `text`).
    ///   - conflict: what follows the SELECT (an `ON CONFLICT` clause), if anything.
    init(
        _ connection: PostgresConnection, table: String, columns: [(name: String, type: String)], conflict: String = ""
    )
        throws
    {
        let arrays = columns.indices.map { "?::\(columns[$0].type)[]" }.joined(separator: ", ")
        statement = try connection.prepare(
            "INSERT INTO \(table) (\(columns.map(\.name).joined(separator: ", "))) SELECT * FROM unnest(\(arrays)) "
                + conflict, returningID: false)
        width = columns.count
    }

    /// Inserts the rows (each with a value per column, in order); in a pipeline, only sends them.
    func execute(_ rows: [[DatabaseValue]]) throws {
        for column in 0..<width {
            statement.bind(Int32(column + 1), Self.array(rows, column: column))
        }
        try statement.execute()
    }

    /// One column of the rows as an array literal: `{1,NULL,"text with \"quotes\""}`.
    static func array(_ rows: [[DatabaseValue]], column: Int) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        for (index, row) in rows.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            switch row[column].storage {
            case .null: bytes.append(contentsOf: "NULL".utf8)
            case .int64(let number): bytes.append(contentsOf: String(number).utf8)
            case .double(let number): bytes.append(contentsOf: number.description.utf8)
            case .string(let text): quote(text.utf8, into: &bytes)
            case .blob(let data):
                let digits = Array("0123456789abcdef".utf8)
                quote(
                    [UInt8(ascii: "\\"), UInt8(ascii: "x")]
                        + data.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, into: &bytes)
            }
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func quote(_ text: some Sequence<UInt8>, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), byte])
            // NUL cannot be stored in PostgreSQL text; dropped, as COPY's rows drop it.
            case 0: continue
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
