import Foundation
import Testing

/// The REPL driven through a real pseudo-terminal.
@Suite(.serialized) struct TerminalTests {
    let h = Harness()

    func start() throws -> PTYSession {
        let pty = try PTYSession(environment: h.environment.merging(["NO_COLOR": "1"]) { $1 })
        #expect(pty.expect("callscope> "), "no prompt: \(pty.transcript)")
        pty.settle()
        return pty
    }

    @Test func typeACommandAndSeeItsOutput() throws {
        let pty = try start()
        #expect(pty.transcript.contains("\u{1B}[?2004h"), "bracketed paste is switched on")
        pty.send("set greeting 你好\r")
        #expect(pty.expect("greeting = 你好"))
        pty.send("quit\r")
        #expect(pty.waitForExit() == 0)
        // Bracketed paste is switched off on the way out, after it was last switched on.
        let on = try #require(pty.transcript.ranges(of: "\u{1B}[?2004h").last)
        let off = try #require(pty.transcript.ranges(of: "\u{1B}[?2004l").last)
        #expect(off.lowerBound > on.lowerBound)
    }

    /// A raw HTTP request pasted after `decode ` is its input, not words; a JSON body pasted at a
    /// bare prompt is decoded, with a note.
    @Test func pastedMessagesGoWhereTheyBelong() throws {
        let pty = try start()
        let body = #"{"callId":"c1","callResult":17,"callStatus":10,"autoFlowId":1,"orderHead":1,"contactId":"x","userTaskId":"u"}"#
        pty.send("decode ")
        pty.send("\u{1B}[200~POST /webhooks/nxlink HTTP/1.1\r\nContent-Type: application/json\r\n\r\n\(body)\u{1B}[201~")
        #expect(pty.command("", expecting: "POST /webhooks/nxlink"))
        #expect(!pty.transcript.contains("unexpected argument"))
        #expect(pty.expect("nxlink · callRecordCallback"))
        pty.send("\u{1B}[200~\(body)\u{1B}[201~")
        #expect(pty.command("", expecting: "note: no command given: decoding the pasted payload"))
        #expect(!pty.transcript.contains("unknown command"))
        pty.send("quit\r")
        #expect(pty.waitForExit() == 0)
    }

    /// In the shell, mock and listen run in the background and print a line per request above the prompt.
    @Test func serversRunInTheBackgroundOfTheShell() throws {
        let mockPort = try MockTests.freePort(), listenPort = try MockTests.freePort()
        let pty = try start()
        #expect(pty.command("mock nxlink --port \(mockPort)", expecting: "mock nxlink listening on http://127.0.0.1:\(mockPort)"))
        #expect(pty.command("listen --port \(listenPort) --path /hook", expecting: "listening on http://127.0.0.1:\(listenPort)/hook"))
        #expect(pty.command("send nxlink call/list --base-url http://127.0.0.1:\(mockPort) --cred accessKey=fme2na3kdi3ki --cred accessSecret=abciiiko2k3 {}",
                            expecting: "nxlink POST /openapi/aiagent/call/list → 200 valid (code 0)"))
        #expect(pty.command("trigger itniotech --to http://127.0.0.1:\(listenPort)/elsewhere", expecting: "POST /elsewhere"))
        #expect(pty.expect("→ 404"), "another path is captured and answered 404")
        #expect(pty.command("mock status", expecting: "http://127.0.0.1:\(mockPort)"))
        #expect(pty.command("mock stop", expecting: "stopped nxlink"))
        #expect(pty.command("listen stop", expecting: "stopped listening"))
        pty.send("quit\r")
        #expect(pty.waitForExit() == 0)
    }

    @Test func bracketedPasteArrivesAsOneInput() throws {
        let pty = try start()
        // A multi-line paste of a command whose first line is incomplete: it must run once, as one input.
        pty.send("\u{1B}[200~set body {\r\n  \"a\": 1,\r\n\t\"b\": [1, 2]\r\n}\r\n\u{1B}[201~")
        #expect(pty.command("", expecting: "body = {"))
        #expect(!pty.transcript.contains("unknown command"), "every pasted line went to the one command")
        #expect(pty.command("history --json", expecting: "]\r\n}"))
        // Exactly one history entry for the paste, holding every line (the Tab stayed literal).
        #expect(pty.transcript.contains(#""line": "set body {\n  \"a\": 1,\n\t\"b\": [1, 2]\n}""#), "\(pty.transcript.debugDescription)")
        #expect(!pty.transcript.contains("\"index\": 2"))
        pty.send("\u{4}")
        #expect(pty.waitForExit() == 0)
    }

    @Test func ctrlCClearsTheLineAndKeepsTheShell() throws {
        let pty = try start()
        pty.send("set half typed")
        #expect(pty.expect("half typed"))
        pty.send("\u{3}")
        #expect(pty.expect("^C"))
        pty.send("vars\r")
        #expect(pty.expect("no variables"))
        #expect(pty.isAlive)
        pty.send("exit\r")
        #expect(pty.waitForExit() == 0)
    }

    @Test func continuationPromptForOpenJSON() throws {
        let pty = try start()
        pty.send("set v {\r")
        #expect(pty.expect("...> "))
        #expect(pty.command("\"k\": 2}", expecting: "v = {"))
        pty.send("\u{4}")
        #expect(pty.waitForExit() == 0)
    }

    @Test func tabCompletesCommandNames() throws {
        let pty = try start()
        pty.send("va\t")
        #expect(pty.expect("rs "), "\(pty.transcript)")
        pty.send("\r")
        #expect(pty.expect("no variables"))
        pty.send("quit\r")
        #expect(pty.waitForExit() == 0)
    }

    @Test func historyFileIsPrivateAndHoldsNoSensitiveLine() throws {
        let pty = try start()
        #expect(pty.command("set --secret token s3cr3t-value-123", expecting: "token = ****"))
        #expect(pty.command("set copy prefix-s3cr3t-value-123", expecting: "copy = prefix-****"))
        #expect(pty.command(" set quiet 1", expecting: "quiet = 1"))
        #expect(pty.command("set --secret quoted 'two  spaces\\and\\escapes'", expecting: "quoted = ****"))
        #expect(pty.command("sign nxlink call/list --cre accessSecret=mistyped-flag-secret", expecting: "unknown flag --cre"))
        #expect(pty.command("sk_live_pasted_at_the_prompt", expecting: "unknown command"))
        #expect(pty.command("set visible 1", expecting: "visible = 1"))
        pty.send("\u{4}")
        #expect(pty.waitForExit() == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: h.historyPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let history = try String(contentsOfFile: h.historyPath, encoding: .utf8)
        #expect(history == "set visible 1\n")
    }

    @Test func historyPersistsAcrossSessions() throws {
        let first = try start()
        first.send("set remembered yes\r")
        #expect(first.expect("remembered = yes"))
        first.send("quit\r")
        #expect(first.waitForExit() == 0)
        let second = try start()
        second.send("\u{1B}[A\u{1B}[A")
        #expect(second.expect("set remembered yes"), "\(second.transcript.debugDescription)")
        second.send("\u{15}quit\r")
        #expect(second.waitForExit() == 0)
    }

    @Test func backgroundOutputRedrawsTheHalfTypedLine() throws {
        let pty = try start()
        #expect(pty.command("echo --after 0.4 reminder-text", expecting: "echo --after 0.4 reminder-text"))
        pty.send("set partial")
        #expect(pty.expect("reminder-text\r\n", timeout: 5), "\(pty.transcript.debugDescription)")
        // After the notice, the prompt and the half-typed line are drawn again below it.
        pty.expect("callscope> set partial", timeout: 2)
        let after = pty.transcript.components(separatedBy: "reminder-text").last ?? ""
        #expect(after.contains("callscope> set partial"), "\(pty.transcript.debugDescription)")
        #expect(pty.command(" value", expecting: "partial = value"))
        pty.send("\u{4}")
        #expect(pty.waitForExit() == 0)
    }

    @Test func ctrlCCancelsARunningCommandNotTheShell() throws {
        let h2 = Harness()
        // In a script the reminder waits in the foreground, so Ctrl-C has something to cancel.
        let script = try h2.write("wait.cs", "echo started\necho --after 30 never-printed\necho after\n")
        let pty = try PTYSession(arguments: ["--keep-going", "-f", script], environment: h2.environment)
        #expect(pty.expect("started"))
        // Past the start of the next command: a Ctrl-C before it would be forgotten when it starts.
        usleep(300_000)
        pty.send("\u{3}")
        #expect(pty.expect("interrupted"), "\(pty.transcript.debugDescription)")
        #expect(pty.expect("after"), "the next command runs: the interrupt ended only the one it arrived in")
        #expect(pty.waitForExit(timeout: 5) == 130, "the script reports the interrupted command's status")
        #expect(!pty.transcript.contains("never-printed"))
    }

    @Test func ctrlCStopsAnEndlessLuaScriptAtOnce() throws {
        let h2 = Harness()
        let script = try h2.write("spin.lua", "while true do pcall(function() while true do end end) end\n")
        let pty = try PTYSession(environment: h2.environment.merging(["NO_COLOR": "1"]) { $1 })
        #expect(pty.expect("callscope> "))
        pty.settle()
        // A budget of minutes: only Ctrl-C can end this within the test's seconds.
        pty.send("run --budget 100000000000 \(script)\r")
        Harness.waitForCPU(of: pty.pid)
        let sent = Date()
        pty.send("\u{3}")
        #expect(pty.expect("interrupted", timeout: 3), "\(pty.transcript.debugDescription)")
        #expect(Date().timeIntervalSince(sent) < 3)
        #expect(pty.command("echo still here", expecting: "still here"))
        pty.send("\u{4}")
        #expect(pty.waitForExit() == 0)
    }

    @Test func resultsAndLuaAtThePrompt() throws {
        let pty = try start()
        #expect(pty.command("let e = explain 17", expecting: "e = {matches}"))
        #expect(pty.command("= #e.matches .. ' matches'", expecting: "4 matches"))
        #expect(pty.command("echo $e.matches[1].vendor", expecting: "nxlink"))
        #expect(pty.command("expect $e.matches.length == 5", expecting: "expectation failed: '4' == '5'"))
        // The lua> prompt: an unfinished block continues, Ctrl-D returns to the shell.
        for (line, prompt) in [("lua", "lua> "), ("function twice(n)", "...> "), ("return n * 2 end", "lua> ")] {
            pty.clearTranscript()
            pty.send(line + "\r")
            #expect(pty.expect(prompt), "\(line): \(pty.transcript.debugDescription)")
            pty.settle()
        }
        #expect(pty.command("twice(21)", expecting: "42", prompt: "lua> "))
        pty.send("\u{4}")
        #expect(pty.expect("callscope> "))
        pty.settle()
        #expect(pty.command("= twice(5)", expecting: "10"))
        // At the main prompt too, an unfinished block continues with ...>
        pty.clearTranscript()
        pty.send("lua function thrice(n)\r")
        #expect(pty.expect("...> "))
        pty.settle()
        pty.clearTranscript()
        pty.send("return n * 3 end\r")
        #expect(pty.expect("callscope> "))
        pty.settle()
        #expect(pty.command("= thrice(3)", expecting: "9"))
        pty.send("\u{4}")
        #expect(pty.waitForExit() == 0)
    }

    @Test func longOutputGoesThroughThePager() throws {
        let h2 = Harness()
        // A pager that shows it was used: it counts the lines it was given.
        let pager = try h2.write("pager.sh", "#!/bin/sh\necho \"paged $(wc -l) lines\"\n")
        chmod(pager, 0o755)
        let pty = try PTYSession(environment: h2.environment.merging(["NO_COLOR": "1", "PAGER": pager]) { $1 }, rows: 10)
        #expect(pty.expect("callscope> "))
        pty.settle()
        #expect(pty.command("help", expecting: "paged "))
        #expect(pty.command("echo short", expecting: "short"))
        #expect(!pty.transcript.contains("paged"), "short output is printed, not paged")
        pty.send("\u{4}")
        #expect(pty.waitForExit() == 0)
    }

    @Test func editRunsWhatTheEditorSaved() throws {
        let h2 = Harness()
        // An "editor" that changes the code asked about, as a user would.
        let editor = try h2.write("editor.sh", "#!/bin/sh\nsed -i 's/17/18/' \"$1\"\n")
        chmod(editor, 0o755)
        let pty = try PTYSession(environment: h2.environment.merging(["NO_COLOR": "1", "EDITOR": editor]) { $1 })
        #expect(pty.expect("callscope> "))
        pty.settle()
        #expect(pty.command("edit", expecting: "nothing to edit yet"))
        #expect(pty.command("edit explain 17", expecting: "18  Voicemail"), "\(pty.transcript.debugDescription)")
        pty.send("\u{4}")
        #expect(pty.waitForExit() == 0)
    }

    @Test func ctrlDAtContinuationAndSecretPromptsCancelsWithoutLeaving() throws {
        let pty = try start()
        pty.send("decode {\r")
        #expect(pty.expect("...> "))
        pty.settle()
        pty.send("\u{4}")
        #expect(pty.expect("input discarded: unterminated JSON value: missing '}'"))
        #expect(pty.command("echo alive", expecting: "alive"), "Ctrl-D at ...> must not end the session")
        pty.send("set --secret tok\r")
        #expect(pty.expect("value for tok: "))
        pty.settle()
        pty.send("\u{4}")
        #expect(pty.expect("cancelled: tok was not set"))
        #expect(pty.command("vars", expecting: "$_"))
        #expect(!pty.transcript.contains("tok "), "nothing was stored")
        pty.send("decode -\r")
        #expect(pty.expect("reading from stdin; Ctrl-D ends"))
        pty.clearTranscript()
        pty.send("{\"callId\": \"c1\"}\r\u{4}")
        #expect(pty.expect("callId"))
        #expect(pty.expect("callscope> "))
        pty.settle()
        pty.send("\u{4}")
        #expect(pty.waitForExit() == 0)
    }

    @Test func tabListsCodesWithTheirMeaningsInNumericOrder() throws {
        let pty = try start()
        pty.send("explain nxlink callResult 1\t")
        #expect(pty.expect("17  Normal end – user hung up"), "\(pty.transcript.debugDescription)")
        let listed = pty.transcript
        if let a = listed.range(of: "\n1   Normal end – connected"), let b = listed.range(of: "\n10  "), let c = listed.range(of: "\n17  ") {
            #expect(a.lowerBound < b.lowerBound && b.lowerBound < c.lowerBound, "numeric order")
        } else {
            Issue.record("codes missing from the list: \(listed.debugDescription)")
        }
        pty.send("\u{15}\u{4}")
        #expect(pty.waitForExit() == 0)
    }

    @Test func usePutsTheVendorInThePrompt() throws {
        let pty = try start()
        #expect(pty.command("use telephony", expecting: "using telephony", prompt: "telephony> "))
        #expect(pty.command("use", expecting: "no vendor in use", prompt: "callscope> "))
        pty.send("\u{4}")
        #expect(pty.waitForExit() == 0)
    }
}
