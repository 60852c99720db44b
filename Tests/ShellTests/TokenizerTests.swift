import TextSupport
import Testing
@testable import Shell

@Suite struct TokenizerTests {
    func words(_ text: String, _ vars: [String: String] = [:]) throws(TokenizeError) -> [String] {
        try Tokenizer.tokenize(text, lookup: { vars[$0] }).map(\.text)
    }

    @Test func splitsOnBlanksAndRemovesQuotes() throws {
        #expect(try words("explain  nxlink\tcallResult 17") == ["explain", "nxlink", "callResult", "17"])
        #expect(try words(#"set a 'x y' "p q" r\ s"#) == ["set", "a", "x y", "p q", "r s"])
        #expect(try words(#"a'b'"c"d"#) == ["abcd"])
        #expect(try words(#""" ''"#) == ["", ""])
    }

    @Test func escapesInsideDoubleQuotes() throws {
        #expect(try words(#""a\"b\\c\$d\n""#) == [#"a"b\c$d\n"#])
        #expect(try words(#"'no \escape $x'"#) == [#"no \escape $x"#])
    }

    @Test func expandsVariables() throws {
        let vars = ["task": "42", "name": "牛 小信"]
        #expect(try words("a $task ${task}x \"$name\" '$task' $", vars) == ["a", "42", "42x", "牛 小信", "$task", "$"])
        #expect(try words("x$task-y", vars) == ["x42-y"])
    }

    @Test func unknownVariableIsAnErrorWithPosition() {
        do {
            _ = try words("set a $missing")
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 6)
            #expect(error.message.contains("$missing"))
        }
    }

    @Test func unterminatedQuotesReportTheOpeningPosition() {
        do {
            _ = try words("set a \"abc")
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 6)
            #expect(error.message == "unterminated double quote")
        }
    }

    @Test func unicodeWordsAndOffsets() throws {
        let tokens = try Tokenizer.tokenize("解释 呼叫 \"中文 文本\"")
        #expect(tokens.map(\.text) == ["解释", "呼叫", "中文 文本"])
        #expect(tokens.map(\.start) == [0, 3, 6])
        #expect(tokens[2].quoted)
    }

    @Test func commentsAndLineJoins() throws {
        #expect(try words("help # this is ignored") == ["help"])
        #expect(try words("sign a \\\n b") == ["sign", "a", "b"])
        #expect(try words("a#b") == ["a#b"])
    }
}

@Suite struct InputAssemblerTests {
    @Test func continuesWhileQuotesOrJSONAreOpen() {
        var a = InputAssembler()
        #expect(a.feed("decode {") == nil)
        #expect(a.isPending)
        #expect(a.feed(#"  "a": "}{\"","#) == nil)
        #expect(a.feed("  \"b\": [1, 2]") == nil)
        #expect(a.feed("}") == Input(text: "decode {\n  \"a\": \"}{\\\"\",\n  \"b\": [1, 2]\n}"))
        #expect(!a.isPending)
        #expect(a.feed("set x 'a") == nil)
        #expect(a.feed("b'") == Input(text: "set x 'a\nb'"))
        #expect(a.feed("sign nxlink \\") == nil)
        #expect(a.feed("--ts 1") == Input(text: "sign nxlink \\\n--ts 1"))
    }

    @Test func apostropheInsideJSONStringDoesNotOpenAQuote() {
        var a = InputAssembler()
        #expect(a.feed(#"decode {"text":"it's fine"}"#) == Input(text: #"decode {"text":"it's fine"}"#))
    }

    @Test func aPasteWithACompleteFirstLineIsOneInput() {
        var a = InputAssembler()
        let paste = "decode\nPOST /cb HTTP/1.1\nHost: x\n\n{\"a\":1}"
        #expect(a.feed(paste) == Input(text: paste))
    }

    @Test func heredocCollectsLinesUpToTheTerminator() {
        var a = InputAssembler()
        #expect(a.feed("decode --vendor nxlink <<EOF") == nil)
        #expect(a.feed("{\"a\": 1,") == nil)
        #expect(a.feed("  \"b\": 'x") == nil)
        #expect(a.feed("EOF") == Input(text: "decode --vendor nxlink", heredoc: "{\"a\": 1,\n  \"b\": 'x\n"))
        #expect(a.feed("x <<'END'") == nil)
        #expect(a.pendingReason?.contains("END") == true)
        #expect(a.feed("END") == Input(text: "x", heredoc: ""))
    }

    @Test func reasonsForIncompleteInput() {
        #expect(InputAssembler.incompleteness(of: "a 'b") == .openQuote("'"))
        #expect(InputAssembler.incompleteness(of: "a [1, {") == .openJSON(expecting: "}"))
        #expect(InputAssembler.incompleteness(of: "a \\") == .trailingBackslash)
        #expect(InputAssembler.incompleteness(of: "don't") == .openQuote("'"))
        #expect(InputAssembler.incompleteness(of: "a # it's a comment") == nil)
    }
}

@Suite struct JoiningTests {
    /// `joining` is `joined(separator:)` without the generic path.
    @Test func joinsAsTheStandardLibraryDoes() {
        let lists: [[String]] = [[], [""], ["a"], ["", ""], ["a", "b", "c"], ["牛小信", "", "é\u{301}"], Array(repeating: "xy", count: 40),
                                 ["e", "\u{301}x", "\u{301}"], ["nxlink", "callback", "c-1", "17 no answer", "2 min 39 s"]]
        for list in lists {
            for separator in ["", ", ", "  ", "·", " · ", "\u{301}"] {
                #expect(list.joining(separator) == list.joined(separator: separator), "\(list) \(separator)")
            }
            #expect(list.joining() == list.joined())
        }
    }
}
