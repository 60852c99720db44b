import Foundation
import Testing

/// Results as values, Lua in the session, scripts that assert.
@Suite struct ScriptingTests {
    let h = Harness()
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func script(_ name: String, _ text: String) throws -> String { try h.write(name, text) }

    @Test func resultsAreValuesReachableByPath() throws {
        let path = try script("values.cs", """
            let e = explain 17
            echo first meaning: $e.matches[0].meaning
            echo last vendor: $e.matches[-1].vendor, count $e.matches.length
            explain 17
            echo $_.matches[0].code
            set file out
            echo $file.txt
            save $e.matches[0] @\(h.home.path)/match.json
            show $e.matches[0].code
            vars
            """)
        let r = try h.run(["--color", "never", "-f", path])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("first meaning: completed – blacklisted number"), "\(r.stdout)")
        #expect(lines.contains("last vendor: telephony, count 4"))
        #expect(lines.filter { $0 == "17" }.count == 2, "echo $_.matches[0].code, then show of the same")
        #expect(lines.contains("out.txt"), "a plain variable keeps a dot after it as text")
        #expect(lines.contains { $0.hasPrefix("  file") && $0.hasSuffix("out") })
        #expect(lines.contains { $0.hasPrefix("  $e") && $0.contains("{matches") })
        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: h.home.appendingPathComponent("match.json"))) as? [String: Any]
        #expect(saved?["code"] as? String == "17")
        #expect(saved?["vendor"] as? String == "nxcloud-callbot")

        let missing = try h.run(["-c", "let e = explain 17", "-c", "echo $e.matches[99].code"])
        #expect(missing.status == 64)
        #expect(missing.stderr.hasPrefix("error: $e.matches[99].code: no such field (see 'show $e')"), "\(missing.stderr)")
    }

    @Test func expectationsFailWithTheirMessageFileAndLine() throws {
        let passing = try script("pass.cs", "explain 17\nexpect $_.matches[0].code == 17\nexpect $? == 0\nexpect $_.matches.length >= 1 at least one match\n")
        let failing = try script("fail.cs", "explain 17\nexpect $_.matches[0].code == 18 \"the code is 18\"\necho never\n")
        let bare = try script("bare.cs", "set empty ''\nexpect $empty\n")
        let r = try h.run(["--color", "never", "test", passing, failing, bare])
        #expect(r.status == 1)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("pass  ") || $0.hasPrefix("FAIL  ") } == ["pass  \(passing)", "FAIL  \(failing)", "FAIL  \(bare)"])
        #expect(lines.last == "1 passed, 2 failed")
        #expect(r.stderr == """
            error: expectation failed: the code is 18 ('17' == '18')
              at \(failing):2
            error: expectation failed: '' is not true
              at \(bare):2

            """, "\(r.stderr)")
        #expect(!r.stdout.contains("never"))
        let one = try h.run(["-f", failing])
        #expect(one.status == 1)
    }

    @Test func luaInTheSessionSeesTheResults() throws {
        let r = try h.run(["--color", "never", "-c", "= 1 + 2", "-c", "let e = explain 17", "-c", "= #e.matches .. ' ' .. e.matches[1].meaning",
                           "-c", "lua local n = 0 for _, m in ipairs(e.matches) do n = n + 1 end print('counted', n)",
                           "-c", "= _.result"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "3")
        #expect(lines.contains("4 completed – blacklisted number"), "\(lines)")
        #expect(lines.contains { $0.hasPrefix("counted\t") })
        let bad = try h.run(["-c", "= 1 +* 2"])
        #expect(bad.status == 65)
        #expect(bad.stderr.hasPrefix("error: lua:1:"), "\(bad.stderr)")
        // An unfinished block is an incomplete input, as an open quote is.
        let open = try h.run(["-c", "= (("])
        #expect(open.status == 64)
        #expect(open.stderr == "error: incomplete input at end: unfinished Lua block\n")
    }

    @Test func initLuaDefinesCommandsAndItsErrorsAreNotFatal() throws {
        let config = h.home.appendingPathComponent("config/callscope")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        try """
            cs.command("meaning", function(code) return cs.exec("explain " .. code).matches[1].meaning end, "the first meaning of a code")
            cs.command("send", function() return "never" end)
            team = "support"
            """.write(to: config.appendingPathComponent("init.lua"), atomically: true, encoding: .utf8)
        let r = try h.run(["--color", "never", "-c", "meaning 17", "-c", "= team", "-c", "lua x = 41", "-c", "= x + 1", "-c", "help meaning"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("completed – blacklisted number\nsupport\n42\nusage: meaning [ARGS…]\n"), "\(r.stdout)")
        #expect(r.stderr == "note: cs.command('send') ignored: 'send' is a built-in command\n")
        try "error(".write(to: config.appendingPathComponent("init.lua"), atomically: true, encoding: .utf8)
        let broken = try h.run(["-c", "= 1"])
        #expect(broken.status == 0)
        #expect(broken.stdout == "1\n")
        #expect(broken.stderr.hasSuffix("init.lua:1: unexpected symbol near <eof> (continuing without it)\n"), "\(broken.stderr)")
    }

    @Test func bashCompletionAsksTheShellsOwnCompleter() throws {
        let script = try h.run(["completion", "bash"])
        #expect(script.status == 0)
        let driver = try h.write("complete.sh", script.stdout + """

            COMP_WORDS=(callscope sign nx); COMP_CWORD=2; _callscope; echo "${COMPREPLY[*]}"
            COMP_WORDS=(callscope sign nxlink call/l); COMP_CWORD=3; _callscope; echo "${COMPREPLY[*]}"
            COMP_WORDS=(callscope expl); COMP_CWORD=1; _callscope; echo "${COMPREPLY[*]}"

            """)
        let binDir = URL(fileURLWithPath: Harness.binary).deletingLastPathComponent().path
        let r = try h.run(["run", "--help"])  // the binary works in this environment
        #expect(r.status == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [driver]
        process.environment = h.environment.merging(["PATH": binDir + ":/usr/bin:/bin"]) { $1 }
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(text == "nxcloud-callbot nxlink\ncall/list\nexplain\n", "\(text)")
        // Flag values and codes complete from the adapter, codes in numeric order.
        #expect(try h.run(["__complete", "sign", "nxlink", "--cred", ""]).stdout == "accessKey=\naccessSecret=\n")
        #expect(try h.run(["__complete", "sign", "callbot", "--pin", "al"]).stdout == "algorithm=MD5\nalgorithm=SHA256\n")
        #expect(try h.run(["__complete", "explain", "nxlink", "callResult", ""]).stdout.hasPrefix("1\n2\n3\n6\n7\n8\n9\n10\n"))
        let unknown = try h.run(["completion", "tcsh"])
        #expect(unknown.status == 64)
    }

    @Test func sourceRunsInTheSessionAndHistorySaveReplays() throws {
        let setup = try script("setup.cs", "set vendor_name nxlink\nlet e = explain 17\n")
        let r = try h.run(["-c", "source \(setup)", "-c", "echo $vendor_name $e.matches[0].code"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasSuffix("nxlink 17\n"), "\(r.stdout)")
        let loop = try script("loop.cs", "source \(h.home.path)/loop.cs\n")
        let nested = try h.run(["source", loop])
        #expect(nested.status == 1)
        #expect(nested.stderr.contains("scripts nested 16 deep (a script running itself?): stopped"))
    }

    @Test func theExampleTestsPass() throws {
        let examples = try FileManager.default.contentsOfDirectory(atPath: Self.packageRoot.appendingPathComponent("examples").path)
            .filter { $0.hasSuffix(".cs") }.sorted().map { "examples/" + $0 }
        #expect(!examples.isEmpty)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Harness.binary)
        process.arguments = ["--color", "never", "test"] + examples
        process.environment = h.environment
        process.currentDirectoryURL = Self.packageRoot
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.hasSuffix("\(examples.count) passed, 0 failed\n"), "\(text)")
    }
}
