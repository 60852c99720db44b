import Testing
import TextSupport
@testable import Shell

/// Inputs far larger than anything typed: the work stays linear in their size.
@Suite struct LargeInputTests {
    @Test func linesFedOneByOneAgreeWithAScanOfTheWhole() {
        let texts = ["decode {\"a\": [1,\n2, {\"b\": \"}\"}\n]}", "echo 'one\ntwo' three", "set x \"a\\\"b\nc\"", "echo a \\\nb",
                     "# comment 'open\necho", "decode [\n\"\\\\\"\n]", "echo don't\nstop'"]
        for text in texts {
            var assembler = InputAssembler()
            var completed: Input?
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) where completed == nil {
                completed = assembler.feed(String(line))
                if completed == nil {
                    #expect(assembler.pendingReason != nil, "\(text)")
                }
            }
            // Only complete at the end, when the whole text is complete.
            #expect((completed != nil) == (InputAssembler.incompleteness(of: text) == nil), "\(text.debugDescription)")
        }
    }

    @Test func aTerminatorTypedRightAfterAPasteIsALineOfItsOwn() {
        var assembler = InputAssembler()
        #expect(assembler.feed("decode <<EOF") == nil)
        let input = assembler.feed("{\"callId\": \"c1\",\n \"callResult\": 17}EOF")
        #expect(input == Input(text: "decode", heredoc: "{\"callId\": \"c1\",\n \"callResult\": 17}\n"))
    }

    @Test func anOpenQuoteOverFortyThousandLinesIsOneInput() {
        var assembler = InputAssembler()
        #expect(assembler.feed("echo 'start") == nil)
        for i in 0..<40_000 { #expect(assembler.feed("line \(i)") == nil) }
        let input = assembler.feed("end'")
        #expect(input?.text.hasPrefix("echo 'start\nline 0\n") == true)
        #expect(input?.text.hasSuffix("line 39999\nend'") == true)
    }

    @Test func pastedCapturesWithCredentialHeadersAreRecognised() {
        #expect(PastedMessage.carriesCredentialHeader("POST / HTTP/1.1\nx-acs-security-token: CAIS123\n\n{}"))
        #expect(PastedMessage.carriesCredentialHeader("curl https://x -H 'Authorization: Bearer abc' -d '{}'"))
        #expect(!PastedMessage.carriesCredentialHeader("POST / HTTP/1.1\nContent-Type: application/json\nsign: abc\n\n{\"a\": \"token: x\"}"))
    }

    @Test func trimmingBlanksIsLinearAndKeepsWhatIsInside() {
        #expect(" \t application/json \r\n".trimmingBlanks() == "application/json")
        #expect("a b".trimmingBlanks() == "a b" && " \n ".trimmingBlanks() == "" && "".trimmingBlanks() == "")
        #expect(" 名前\u{301} ".trimmingBlanks() == "名前\u{301}")
        #expect("x; y"[..<"x; y".firstIndex(of: ";")!].trimmingBlanks() == "x")
        let huge = String(repeating: " ", count: 200_000) + "v" + String(repeating: "\n", count: 200_000)
        #expect(huge.trimmingBlanks() == "v")
    }

    @Test func noSuggestionForAnEnormousWord() {
        let word = String(repeating: "decod", count: 24_000)
        #expect(EditDistance.suggestions(for: word, among: ["decode", "explain"]).isEmpty)
        #expect(EditDistance.suggestions(for: "decdoe", among: ["decode", "explain"]) == ["decode"])
    }

    @Test func tablesStayLinearAndWrapTheirLastColumn() {
        let huge = String(repeating: "k", count: 34_000)
        let rows = (0..<1000).map { [Span("k\($0)"), Span(String($0)), Span("meaning")] } + [[Span(huge), Span("1"), Span("")]]
        let text = HumanRenderer(color: false, width: 100_000).render([.table(Table(headers: [], rows: rows))])
        #expect(text.utf8.count < 34_000 + 1000 * 60)

        let narrow = HumanRenderer(color: false, width: 60).render([.table(Table(headers: [], rows: [
            [Span("callResult"), Span("17"), Span("Normal end – user hung up — call result")],
            [Span("taskId"), Span("\"972e65ad-bfa5-4f35-845f-1867009b2c34\""), Span("internal system task id")],
        ]))])
        #expect(narrow == """
              callResult  17                    Normal end – user hung
                                                up — call result
              taskId      "972e65ad-bfa5-4f35-845f-1867009b2c34"
                                                internal system task id

            """)
    }
}
