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

    @Test func eightByteSkipAgreesWithTheByteTestForEveryByteInEveryPlace() {
        for byte in 0...255 {
            let plain = (0x20...0x7E).contains(byte) && byte != 0x22 && byte != 0x5C
            for place in 0..<8 {
                let word = (0x4141_4141_4141_4141 as UInt64) & ~(0xFF << (8 * place)) | UInt64(byte) << (8 * place)
                #expect(JSONWriter.isPlainWord(word) == plain, "byte \(byte) at \(place)")
            }
        }
    }

    @Test func escapesWhatFollowsLongPlainRuns() {
        for prefix in 0..<17 {
            let run = String(repeating: "a", count: prefix)
            for (raw, quoted) in [("\"", #"\""#), ("\\", #"\\"#), ("\n", #"\n"#), ("\u{1}", #"\u0001"#), ("\u{7F}", #"\u007f"#),
                                  ("\u{2028}", #"\u2028"#), ("牛", "牛"), ("─", "─"), ("é\"", #"é\""#), ("😀\\", #"😀\\"#), ("牛\n", #"牛\n"#)] {
                var out: [UInt8] = []
                JSONWriter.appendQuoted(run + raw + run, into: &out)
                #expect(String(decoding: out, as: UTF8.self) == "\"" + run + quoted + run + "\"")
            }
        }
    }

    @Test func prettyPrintsWithIndent() {
        let value: JSONValue = ["a": [1, 2], "b": [:] as JSONValue]
        #expect(JSONWriter.pretty(value) == "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}")
    }
}

@Suite struct ByteKeyTableTests {
    /// Keys of every length around the word boundaries, keys that differ only in the middle or at
    /// one end, and misses that share a prefix or suffix with a key: answers agree with a Dictionary.
    @Test func answersAsADictionaryWould() {
        var keys: [String] = ["", "a", "ab", "abcdefg", "abcdefgh", "abcdefghi", "callResult", "callResulT",
                              "manualCallStart", "manualCallAnswer", "0123456789abcdef", "0123456789abcdefg",
                              "2025-03-19 10:00:01", "2025-03-20 10:00:01", "2025-03-19 10:00:02", "牛小信", "\"quoted\\"]
        keys += (0..<300).map { "key-\($0)-" + String(repeating: "x", count: $0 % 40) }
        // Lengths from 63 up share one bit of the table's length filter.
        keys += [62, 63, 64, 100, 300].map { String(repeating: "L", count: $0) }
        let table = ByteKeyTable()
        var reference: [String: Int] = [:]
        for (i, key) in keys.enumerated() {
            Array(key.utf8).withUnsafeBufferPointer { table.insert($0, $0.indices, value: i) }
            if reference[key] == nil { reference[key] = i }
            // Inserting again keeps the first value.
            Array(key.utf8).withUnsafeBufferPointer { table.insert($0, $0.indices, value: -1) }
        }
        #expect(table.count == reference.count)
        let misses = ["abcdefgX", "Xbcdefgh", "abcdef", "callResul", "callResultt", "2025-03-21 10:00:01", "key-5-", "key-299-"]
            + [61, 65, 101, 299].map { String(repeating: "L", count: $0) } + [String(repeating: "M", count: 64)]
        for key in keys + misses {
            // Looked up inside a larger buffer, as members are.
            let padded = Array(("{\"" + key + "\":1}").utf8)
            let found = padded.withUnsafeBufferPointer { table.lookup($0, 2..<(padded.count - 4)) }
            #expect(found == reference[key], "\(key)")
        }
        #expect(ByteKeyTable().lookup(UnsafeBufferPointer(start: nil, count: 0), 0..<0) == nil)
    }

    /// A short key is read as one word where the buffer goes on past it, byte by byte where it
    /// ends there: both readings, in the table and in a lookup, find the same keys (and the bytes
    /// after a key never count).
    @Test func shortKeysAreFoundWhereverTheirBufferEnds() {
        let keys = ["", "a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "ab\u{0}", "\u{0}"]
        for insertLoadable in [false, true] {
            let table = ByteKeyTable()
            for (i, key) in keys.enumerated() {
                // Inserted from a buffer that ends with the key, or from one that goes on.
                let buffer = Array(key.utf8) + (insertLoadable ? Array("\":\"zzzzzzzz\"".utf8) : [])
                buffer.withUnsafeBufferPointer { table.insert($0, 0..<key.utf8.count, value: i) }
            }
            #expect(table.count == keys.count)
            for (i, key) in keys.enumerated() {
                let bytes = Array(key.utf8)
                for tail in ["", "\":1}", "\":\"abcdefgh\"}", "g", "\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}"] {
                    let buffer = bytes + Array(tail.utf8)
                    let range = 0..<bytes.count
                    #expect(buffer.withUnsafeBufferPointer { table.lookup($0, range) } == i, "\(key) + \(tail)")
                    #expect(buffer.withUnsafeBufferPointer { table.matches(i, $0, range) }, "\(key) + \(tail)")
                    if i + 1 < keys.count {
                        #expect(!buffer.withUnsafeBufferPointer { table.matches(i + 1, $0, range) }, "\(key) matched \(keys[i + 1])")
                    }
                }
            }
            for miss in ["b", "abd", "abcdeg", "abcdefh", "ab\u{1}", "\u{1}", "bcdefgh"] {
                let buffer = Array((miss + "\":1,\"abcdefg\":2}").utf8)
                #expect(buffer.withUnsafeBufferPointer { table.lookup($0, 0..<miss.utf8.count) } == nil, "\(miss)")
            }
        }
    }

    @Test func pairsInitialiserKeepsTheFirstOfDuplicates() {
        let table = ByteKeyTable([("a", 1), ("b", 2), ("a", 3)])
        #expect(table.count == 2)
        #expect(Array("a".utf8).withUnsafeBufferPointer { table.lookup($0, $0.indices) } == 1)
    }
}
