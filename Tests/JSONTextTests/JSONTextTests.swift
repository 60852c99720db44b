import Testing
@testable import JSONText

@Suite struct JSONParserTests {
    @Test func keepsMemberOrderDuplicatesAndNumberText() throws {
        let value = try JSONParser.parse(#"{"b":1.50,"a":9007199254740993,"b":-0e+1}"#)
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["b", "a", "b"])
        #expect(members.map(\.value) == [.number("1.50"), .number("9007199254740993"), .number("-0e+1")])
    }

    @Test func decodesEscapesAndUnicode() throws {
        let value = try JSONParser.parse(#"["牛小信","\u725b\n","\ud83d\ude00","a\/b"]"#)
        #expect(value == .array([.string("牛小信"), .string("牛\n"), .string("😀"), .string("a/b")]))
    }

    @Test(arguments: [
        (#"{"a":1,}"#, 1, 8, "trailing comma"),
        ("{\n  \"a\": tru\n}", 2, 8, "invalid literal"),
        (#"{"a":"x"#, 1, 6, "unterminated string"),
        (#"[1,2"#, 1, 5, "missing ']'"),
        (#"{'a':1}"#, 1, 2, "member name"),
        ("", 1, 1, "empty input"),
        ("{\"牛\":01}", 1, 6, "leading zero"),
    ])
    func reportsWhereAndWhy(input: String, line: Int, column: Int, fragment: String) {
        do {
            _ = try JSONParser.parse(input)
            Issue.record("expected a syntax error for \(input)")
        } catch {
            #expect(error.line == line)
            #expect(error.column == column)
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(bytes: [0x22, 0xFF, 0x22]) }
    }

    @Test func rejectsExcessiveNesting() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep) }
    }

    @Test func parsesSequences() throws {
        let values = try JSONParser.parseSequence(bytes: Array("{\"a\":1}\n{\"a\":2}\n\n[3]".utf8))
        #expect(values.count == 3)
        #expect(values[2] == [3])
    }
}

@Suite struct JSONWriterTests {
    @Test func roundTripsExactly() throws {
        let text = #"{"name":"牛小信","id":10001,"x":[1.0,true,null,{}],"s":"a\"b\\c\n\u0001"}"#
        #expect(JSONWriter.compact(try JSONParser.parse(text)) == text)
    }

    @Test func prettyPrintsWithIndent() {
        let value: JSONValue = ["a": [1, 2], "b": [:] as JSONValue]
        #expect(JSONWriter.pretty(value) == "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}")
    }
}
