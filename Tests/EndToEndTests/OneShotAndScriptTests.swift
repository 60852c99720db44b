import Foundation
import Testing

@Suite struct OneShotAndScriptTests {
    let h = Harness()

    @Test func versionAndHelp() throws {
        let version = try h.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("callscope "))
        let help = try h.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("-c COMMAND"))
        let bad = try h.run(["--colour"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("unknown option --colour"))
    }

    @Test func oneShotCommand() throws {
        let r = try h.run(["help", "set"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("usage: set"))
        #expect(r.stderr.isEmpty)
        let unknown = try h.run(["frobnicate"])
        #expect(unknown.status == 64)
        #expect(unknown.stdout.isEmpty)
        #expect(unknown.stderr.contains("unknown command 'frobnicate'"))
    }

    @Test func sigintStopsAnEndlessScriptAndTheBudgetStopsItAnyway() throws {
        let script = try h.write("spin.lua", "while true do pcall(function() while true do end end) end\n")
        let budgeted = try h.run(["run", "--budget", "20000000", script])
        #expect(budgeted.status == 1)
        #expect(budgeted.stderr == "error: instruction budget exhausted (endless loop?)\n")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Harness.binary)
        process.arguments = ["run", "--budget", "100000000000", script]
        process.environment = h.environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        process.standardError = err
        try process.run()
        Harness.waitForCPU(of: process.processIdentifier)
        kill(process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "error: interrupted\n")
    }

    @Test func credentialsOnTheCommandLineAreWarnedAboutAndNeverRepeated() throws {
        let body = #"{"taskId":"t1","pageNumber":1,"pageSize":10}"#
        let inline = try h.run(["sign", "nxlink", "call/list", body, "--cred", "accessKey=AK", "--cred", "accessSecret=s3cr3t-inline"])
        #expect(inline.status == 0)
        #expect(inline.stderr == "warning: --cred accessSecret=… on the command line can be read by anyone on this machine (the process list); use accessSecret=env:VAR, accessSecret=file:PATH or the shell's prompt\n")
        _ = try h.write("secret.txt", "from-a-file\n")
        let fromFile = try h.run(["sign", "nxlink", "call/list", body, "--cred", "accessKey=AK", "--cred", "accessSecret=file:~/secret.txt", "--json"])
        #expect(fromFile.status == 0)
        #expect(fromFile.stderr.isEmpty, "\(fromFile.stderr)")
        let noName = try h.run(["sign", "nxlink", "call/list", "{}", "--cred", "s3cr3t-without-a-name"])
        #expect(noName.status == 64)
        #expect(!noName.stderr.contains("s3cr3t-without-a-name"))
        // Flags after a JSON body typed without quotes are flags, not part of the body.
        let piped = try h.run([], stdin: "sign nxlink call/list {\"taskId\": \"t1\"} --cred accessKey=AK --cred accessSecret=s3cr3t-piped\n")
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout.contains("--data-binary '{\"taskId\": \"t1\"}'"), "\(piped.stdout)")
        #expect(!piped.stdout.contains("s3cr3t-piped"))
    }

    @Test func signRefusesValuesTheVendorDoesNotAcceptAndWarnsAboutLikelyMistakes() throws {
        let creds = ["--cred", "accessKey=AK", "--cred", "accessSecret=env:NX_TEST_SECRET"]
        let refused = try h.run(["sign", "nxlink", "call/list", "{}", "--algorithm", "sha1"] + creds)
        #expect(refused.status == 64)
        #expect(refused.stderr == "error: nxlink does not accept digest 'sha1'\nhint: accepted: md5, sha256\n")
        let warned = try h.run(["sign", "nxlink", "call/list", "{\"taskId\":\"t1\"}\n", "--ts", "1700000000"] + creds)
        #expect(warned.status == 0)
        #expect(warned.stderr == """
            warning: ts 1700000000 looks like seconds; nxlink expects milliseconds (13 digits)
            warning: the body ends in a newline, which is signed with it (is it in what you send?)
            warning: call/list: required fields pageNumber, pageSize missing from the body

            """, "\(warned.stderr)")
        let emptySecret = try h.run(["sign", "nxlink", "call/list", "{\"taskId\":\"t1\",\"pageNumber\":1,\"pageSize\":10}",
                                     "--cred", "accessKey=AK", "--cred", "accessSecret=env:EMPTY"], extraEnvironment: ["EMPTY": ""])
        #expect(emptySecret.stderr == "warning: accessSecret is empty\n", "\(emptySecret.stderr)")
    }

    @Test func vendorsAnswerToAliasesPrefixesAndParts() throws {
        for (typed, id) in [("aliyun", "alibaba-aiccs"), ("alibaba", "alibaba-aiccs"), ("callbot", "nxcloud-callbot"), ("nxcloud", "nxcloud-callbot"),
                            ("itnio", "itniotech"), ("NXLINK", "nxlink")] {
            let r = try h.run(["use", typed, "--json"])
            #expect(r.status == 0, "\(typed): \(r.stderr)")
            #expect(r.stdout.contains("\"vendor\": \"\(id)\""), "\(typed): \(r.stdout)")
        }
        let explained = try h.run(["explain", "aliyun", "200010", "--json"])
        #expect(explained.stdout.contains("\"vendor\": \"alibaba-aiccs\""))
        #expect(try h.run(["explain", "nxlink", "callresult", "17"]).status == 0, "tables in any case")
        #expect(try h.run(["codes", "nxlink", "CALLRESULT"]).status == 0)
        #expect(try h.run(["explain", "nxlnk", "callResult", "17"]).stderr.hasSuffix("hint: did you mean 'nxlink'?\n"))
        #expect(try h.run(["explain", "nxlink", "callReslt", "17"]).stderr.hasSuffix("hint: did you mean 'callResult'?\n"))
        let ambiguous = try h.run(["use", "nx"])
        #expect(ambiguous.status == 1)
        #expect(ambiguous.stderr.hasPrefix("error: no adapter 'nx'"))
    }

    @Test func theVendorInUseAnswersFirstAndGapsAreNamed() throws {
        let own = try h.run(["--color", "never", "-c", "use nxlink", "-c", "explain 17"])
        #expect(own.status == 0)
        #expect(own.stdout.contains("using nxlink — NXLink AI Agent\n2 more in other vendors' tables ('use' alone searches all)\nnxlink · callResult"), "\(own.stdout)")
        #expect(!own.stdout.contains("nxcloud-callbot"))
        let elsewhere = try h.run(["--color", "never", "-c", "use itniotech", "-c", "explain 17 --json"])
        #expect(elsewhere.stdout.contains("\"17 is not defined by itniotech\""), "\(elsewhere.stdout)")
        #expect(elsewhere.stdout.contains("\"vendor\": \"nxlink\""))
        let codes = try h.run(["--color", "never", "-c", "use itniotech", "-c", "codes"])
        #expect(codes.stdout.split(separator: "\n").dropFirst(2).first?.hasPrefix("  itniotech") == true, "the vendor in use first: \(codes.stdout.prefix(300))")
        let gap = try h.run(["explain", "nxlink", "callResult", "4"])
        #expect(gap.status == 1)
        #expect(gap.stderr.hasPrefix("error: 4 not found in nxlink callResult: callResult lists 1–21 without 4 (the source leaves it out)\n"), "\(gap.stderr)")
    }

    @Test func aMessageThePluginCannotReadIsAnInputError() throws {
        let capture = try h.write("bad-date.http", """
            POST /?Action=ListInstances HTTP/1.1\r
            host: aiccs.aliyuncs.com\r
            x-acs-action: ListInstances\r
            x-acs-date: not-a-date\r
            Authorization: ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-action;x-acs-date,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0\r
            \r

            """)
        let r = try h.run(["verify", "@" + capture])
        #expect(r.status == 65)
        #expect(r.stderr.hasPrefix("error: the message cannot be read: alibaba-aiccs: "), "\(r.stderr)")
        #expect(r.stderr.contains("not an ISO 8601 date-time: not-a-date"))
    }

    @Test func oneShotJSON() throws {
        let r = try h.run(["help", "--json"])
        #expect(r.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let names = (object?["commands"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        #expect(names.contains("help") && names.contains("history") && names.contains("quit"))
    }

    @Test func repeatedDashCRunsInOrderAndStopsAtTheFirstFailure() throws {
        let r = try h.run(["-c", "set greeting 'hello world'", "-c", "vars --json", "-c", "nope", "-c", "vars"])
        #expect(r.status == 64)
        #expect(r.stdout.contains("\"value\": \"hello world\""))
        #expect(r.stderr.contains("unknown command 'nope'"))
        // The command after the failure did not run: vars printed once (as JSON), never in table form.
        #expect(!r.stdout.contains("  greeting  hello world"))
        let keepGoing = try h.run(["--keep-going", "-c", "nope", "-c", "set a 1"])
        #expect(keepGoing.status == 64)
        #expect(keepGoing.stdout.contains("a = 1"))
    }

    @Test func scriptFileWithContinuationHeredocAndComments() throws {
        let path = try h.write("script.cs", """
        # a comment line
        set a \\
          one
        set b "two
        lines"
        vars --json
        help <<EOF
        body
        EOF
        """)
        let r = try h.run(["-f", path])
        #expect(r.status == 64, "help takes no body")
        #expect(r.stdout.contains("\"value\": \"one\""))
        #expect(r.stdout.contains("\"value\": \"two\\nlines\""))
        #expect(r.stderr.contains("'help' takes no body"))
        #expect(r.stderr.contains("at \(path):9"))
    }

    @Test func missingScriptIsAnInputError() throws {
        let r = try h.run(["-f", "/nonexistent/script"])
        #expect(r.status == 65)
        #expect(r.stderr.contains("cannot read /nonexistent/script"))
    }

    @Test func pipedStdinRunsLinesWithoutPromptOrColour() throws {
        let r = try h.run([], stdin: "set x 1\nvars\nset y $x$x\nvars --json\n")
        #expect(r.status == 0)
        #expect(!r.stdout.contains("callscope>"))
        #expect(!r.stdout.contains("\u{1B}["))
        #expect(r.stdout.contains("\"value\": \"11\""))
        #expect(!FileManager.default.fileExists(atPath: h.historyPath), "no history outside the REPL")
    }

    @Test func unterminatedInputAtEndOfPipe() throws {
        let r = try h.run([], stdin: "set x {\n\"a\": 1\n")
        #expect(r.status == 64)
        #expect(r.stderr.contains("incomplete input at end: unterminated JSON value: missing '}'"))
    }

    @Test func colourFlagAndNoColor() throws {
        let always = try h.run(["--color", "always", "help"])
        #expect(always.stdout.contains("\u{1B}["))
        let never = try h.run(["--color=never", "help"])
        #expect(!never.stdout.contains("\u{1B}["))
        let noColor = try h.run(["--color", "auto", "help"], extraEnvironment: ["NO_COLOR": "1"])
        #expect(!noColor.stdout.contains("\u{1B}["))
    }

    @Test func exitStatusOfANegativeAnswer() throws {
        let r = try h.run(["unset", "nothing"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("no variable nothing"))
    }

    @Test func quitStopsAScript() throws {
        let r = try h.run([], stdin: "set a 1\nquit\nset b 2\nvars\n")
        #expect(r.status == 0)
        #expect(!r.stdout.contains("b = 2"))
    }
}

@Suite struct LuaScriptTests {
    let h = Harness()

    @Test func scriptsRunCommandsAsTables() throws {
        let script = try h.write("report.lua", """
            local r = cs.exec("explain nxlink callResult " .. arg[1])
            print("meaning", r.matches[1].meaning)
            local missing = cs.exec("explain nxlink callResult 5")
            print("missing", missing.status)
            local s = cs.exec("sign itniotech --ts 1630468800 --cred apiKey=bDqJFiq9 --cred apiSecret=7bz1lzh9")
            return { signature = s.signature }
            """)
        let r = try h.run(["run", script, "17"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("meaning\tNormal end – user hung up\n"))
        #expect(r.stdout.contains("missing\t1\n"))
        #expect(r.stdout.contains("\"signature\": \"05d7a50893e22a5c4bb3216ae3396c7c\""))
    }

    @Test func scriptErrorsAndTheSandbox() throws {
        let broken = try h.write("broken.lua", "local x = \n")
        let r = try h.run(["run", broken])
        #expect(r.status == 65)
        #expect(r.stderr.contains("broken.lua:2:"))
        let escape = try h.write("escape.lua", "return io.open('/etc/passwd')")
        let e = try h.run(["run", escape])
        #expect(e.status == 1)
        #expect(e.stderr.contains("escape.lua:1:"))
        #expect(e.stderr.contains("nil"))
    }
}

@Suite struct ScriptNestingTests {
    let h = Harness()

    /// A script that runs itself through cs.exec stops at a bounded depth instead of overflowing the stack.
    @Test func selfRunningScriptsStop() throws {
        let script = try h.write("self.lua", #"local r = cs.exec("run " .. arg[1] .. " " .. arg[1]) return { depth = r.error or (r.result and r.result.depth) }"#)
        let r = try h.run(["run", script, script])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("scripts nested 16 deep (a script running itself?): stopped"))
    }
}
