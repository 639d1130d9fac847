import ReportModel
import ReportRendering
import Testing

@Suite struct EscapingTests {
    @Test(arguments: [
        ("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("-5", "-5"),
        ("a,b", "\"a,b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("two\nlines", "\"two\nlines\""),
        ("plain", "plain"),
    ])
    func csvCellsAreQuotedAndFormulasNeutralised(_ value: String, _ expected: String) {
        #expect(Escaping.csvCell(value) == expected)
    }

    @Test func terminalTextShowsControlCharactersEscaped() {
        #expect(Escaping.terminal("evil\u{1B}[31mred\u{07}\nnext") == "evil\\x1b[31mred\\x07\\nnext")
        #expect(Escaping.terminal("Bücher–Post ™") == "Bücher–Post ™")
    }

    @Test func jsonStringsEscapeQuotesAndControlCharacters() {
        let item = ImportItem(
            input: "a\"b\\c.xml", part: nil, outcome: .rejected, reason: "line\u{1}\nbreak", diagnostics: ["<script>"])
        let line = ImportRenderer.jsonLine(item)
        #expect(line.contains(#""input":"a\"b\\c.xml""#))
        #expect(line.contains(#""reason":"line\u0001\nbreak""#))
        #expect(line.contains(#""diagnostics":["<script>"]"#))
        #expect(!line.contains("\n"))
    }

    @Test func timesAreISO8601InUTC() {
        #expect(TimeFormat.iso8601(1_764_547_200) == "2025-12-01T00:00:00Z")
        #expect(TimeFormat.iso8601(0) == "1970-01-01T00:00:00Z")
        #expect(TimeFormat.date(1_764_633_599) == "2025-12-01")
    }
}

@Suite struct DateArgumentTests {
    let now: Int64 = 1_764_633_600  // 2025-12-02T00:00:00Z

    @Test func datesTimesAndRelativeSpansAreRead() throws {
        #expect(try DateArgument.parse("2025-12-01", now: now) == 1_764_547_200)
        #expect(try DateArgument.parse("2025-12-01", now: now, endOfDay: true) == 1_764_633_599)
        #expect(try DateArgument.parse("2025-12-01T12:00:00Z", now: now) == 1_764_590_400)
        #expect(try DateArgument.parse("2025-12-01T13:00:00+01:00", now: now) == 1_764_590_400)
        #expect(try DateArgument.parse("7d", now: now) == now - 7 * 86_400)
        #expect(try DateArgument.parse("4w", now: now) == now - 28 * 86_400)
        #expect(try DateArgument.parse("12h", now: now) == now - 12 * 3600)
    }

    @Test(arguments: ["yesterday", "2025-13-01", "2025-02-30", "2025-12-01T25:00:00Z", "7x", ""])
    func nonsenseIsRefused(_ text: String) {
        #expect(throws: DateArgument.Invalid.self) { try DateArgument.parse(text, now: now) }
    }
}

@Suite struct InvisibleTextTests {
    @Test func bidirectionalOverridesAndInvisibleCharactersAreShownNotObeyed() {
        #expect(Escaping.terminal("Acme\u{202E}moc.elgoog") == "Acme\\u{202E}moc.elgoog")
        #expect(Escaping.terminal("a\u{200B}b\u{2066}c") == "a\\u{200B}b\\u{2066}c")
        #expect(Escaping.terminal("id\u{0}x") == "id\\x00x")
    }

    @Test func aFileNamesBytesThatAreNotUTF8AreShownAsHex() {
        let name = PathBytes.string(Array("soci".utf8) + [0xE9, 0xFF] + Array("t".utf8))
        #expect(Escaping.terminal(name) == "soci\\xE9\\xFFt")
        #expect(Escaping.csvCell(name) == "soci\\xE9\\xFFt")
        #expect(PathBytes.bytes(name) == Array("soci".utf8) + [0xE9, 0xFF] + Array("t".utf8))
    }
}
