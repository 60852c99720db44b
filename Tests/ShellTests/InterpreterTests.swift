import Foundation
import JSONText
import Testing
import Commands
import TextSupport
@testable import Shell

/// A session whose output is captured in memory.
final class CapturedSession {
    var out = ""
    var err = ""
    var session: Session!

    init(_ registry: CommandRegistry = BuiltinCommands.registry(), historyPath: String? = nil) {
        session = Session(registry: registry, history: HistoryStore(path: historyPath),
                          output: OutputSink(out: { [unowned self] in self.out += $0 }, err: { [unowned self] in self.err += $0 }))
    }

    @discardableResult
    func run(_ text: String) -> Execution { Interpreter.execute(Input(text: text), in: session) }
}

@Suite struct InterpreterTests {
    @Test func setVarsAndExpansion() throws {
        let s = CapturedSession()
        #expect(s.run("set code 17").status == .ok)
        s.out = ""
        s.run("vars --json")
        let json = try JSONParser.parse(s.out)
        #expect(json["variables"]?.arrayValue?.first?["value"] == "17")
        #expect(s.run("set copy $code").status == .ok)
        #expect(s.session.variables["copy"] == "17")
    }

    @Test func unknownCommandIsUsageWithSuggestion() {
        let s = CapturedSession()
        #expect(s.run("hepl").status == .usage)
        #expect(s.err.contains("unknown command 'hepl'"))
        #expect(s.err.contains("did you mean 'help'"))
    }

    @Test func tokenizerErrorsShowACaret() {
        let s = CapturedSession()
        #expect(s.run("set x $nope").status == .usage)
        #expect(s.err.contains("unknown variable $nope"))
        #expect(s.err.contains("      ^ (line 1, column 7)"))
    }

    @Test func unknownFlagAndArity() {
        let s = CapturedSession()
        #expect(s.run("vars --jsno").status == .usage)
        #expect(s.err.contains("did you mean --json"))
        #expect(s.run("unset").status == .usage)
        #expect(s.err.contains("missing NAME"))
        #expect(s.run("vars extra").status == .usage)
    }

    @Test func prefixAndHelpFlag() {
        let s = CapturedSession()
        #expect(s.run("hist --help").status == .ok)
        #expect(s.out.contains("usage: history [list [N] | clear | save FILE]"))
    }

    @Test func quitEndsOnlyThroughTheOutcome() {
        let s = CapturedSession()
        #expect(s.run("exit").quit)
        #expect(!s.run("vars").quit)
    }

    @Test func secretsAreMaskedAndKeepLinesOutOfHistory() throws {
        let s = CapturedSession()
        let e = s.run("set --secret token abcdef123")
        #expect(!e.persistInHistory)
        #expect(!s.out.contains("abcdef123"))
        s.out = ""
        let e2 = s.run("set other abcdef123-suffix")
        #expect(!e2.persistInHistory)
        #expect(s.out.contains("****-suffix"))
        #expect(s.run("set plain value").persistInHistory)
        #expect(!s.run(" set hidden value").persistInHistory)
    }

    @Test func multiLinePasteOfCommandsRunsTheFirstAndLeavesTheRest() {
        let s = CapturedSession()
        let e = s.run("set a 1\nset b 2")
        #expect(e.leftover == "set b 2")
        #expect(s.session.variables["b"] == nil)
    }

    @Test func rawBodyStartsAtJSONOrTheSecondLine() {
        var bodies: [String?] = []
        var registry = BuiltinCommands.registry()
        registry.register(CommandSpec(name: "decode", summary: "", arguments: [ArgumentSpec("x", summary: "", optional: true, variadic: true)],
                                      acceptsRawBody: true) { context throws(CommandError) in
            bodies.append(context.rawBody)
            return .ok()
        })
        let s = CapturedSession(registry)
        s.run(#"decode --json {"a": "$x 'y"}"#)
        s.run("decode\nPOST /x HTTP/1.1\nHost: h")
        s.run("decode plain")
        Interpreter.execute(Input(text: "decode", heredoc: "line1\n"), in: s.session)
        #expect(bodies == [#"{"a": "$x 'y"}"#, "POST /x HTTP/1.1\nHost: h", nil, "line1\n"])
        #expect(s.run("vars {\"a\":1}\nmore").status == .usage)
    }

    @Test func historyListsAndClears() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cs-hist-\(UUID().uuidString)")
        let path = dir.appendingPathComponent("history").path
        let s = CapturedSession(historyPath: path)
        s.session.history.add("set a 1", persist: true)
        s.session.history.add("set --secret t xyz123", persist: false)
        s.session.history.add("multi\nline", persist: true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "set a 1\nmulti\\nline\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        s.run("history --json")
        #expect(try JSONParser.parse(s.out)["entries"]?.arrayValue?.count == 3)
        let reloaded = HistoryStore(path: path)
        reloaded.load()
        #expect(reloaded.entries == ["set a 1", "multi\nline"])
        s.run("history clear")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "")
        try? FileManager.default.removeItem(at: dir)
    }

    @Test func historyTrimsToItsLimit() {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cs-hist-\(UUID().uuidString)")
        let path = dir.appendingPathComponent("history").path
        let store = HistoryStore(path: path, limit: 3)
        for i in 1...10 { store.add("cmd \(i)", persist: true) }
        #expect(store.entries == ["cmd 8", "cmd 9", "cmd 10"])
        let reloaded = HistoryStore(path: path, limit: 3)
        reloaded.load()
        #expect(reloaded.entries == ["cmd 8", "cmd 9", "cmd 10"])
        try? FileManager.default.removeItem(at: dir)
    }

    @Test func helpSearchAndUnknownTopic() {
        let s = CapturedSession()
        #expect(s.run("help variable").status == .ok)
        #expect(s.out.contains("set"))
        #expect(s.run("help qqqqqqqq").status == .negative)
    }
}

@Suite struct MaskingAndInterruptTests {
    /// One masking pass for every output mode, by value: JSON too, and never inside a longer word.
    @Test func secretsAreMaskedAsValuesInEveryOutputMode() {
        let s = CapturedSession()
        s.run("set --secret tok abc123")
        s.out = ""
        s.run("echo $tok --json")
        #expect(s.out == "{\n  \"text\": \"****\"\n}\n")
        s.run("set --secret short b")
        s.run("set --secret digit 1")
        s.out = ""
        s.run("echo bizType b 1630468800 1 --json")
        #expect(s.out == "{\n  \"text\": \"bizType **** 1630468800 ****\"\n}\n")
        s.out = ""
        s.run("echo bizType b")
        #expect(s.out == "bizType ****\n")
    }

    @Test func secretMaskerMasksWholeValuesOnly() {
        let m = SecretMasker(secrets: ["s3cr3t", "-x"])
        #expect(m.mask("key=s3cr3t&b") == "key=****&b")
        #expect(m.mask("s3cr3tive") == "s3cr3tive")
        #expect(m.mask("a-x") == "a****", "a secret that starts with punctuation needs no boundary there")
        #expect(m.mask(JSONValue.object([JSONMember("s3cr3t", .string("s3cr3t"))])) == .object([JSONMember("s3cr3t", .string("****"))]))
    }

    /// A Ctrl-C that arrived before a command does not stop it; one during a command stops it with 130.
    @Test func anInterruptIsClearedPerCommandAndEndsTheRunningOneWith130() {
        let s = CapturedSession()
        let flag = Flag()
        s.session.interruptRequested = { flag.value }
        s.session.clearInterrupt = { flag.value = false }
        flag.value = true
        #expect(s.run("echo --after 0.05 late").status == .ok, "an earlier Ctrl-C is forgotten when the next command starts")
        #expect(s.out == "late\n")
        Thread.detachNewThread { usleep(30_000); flag.value = true }
        #expect(s.run("echo --after 5 never").status == .interrupted)
        #expect(s.err.contains("interrupted"))
        #expect(ExitStatus.interrupted.rawValue == 130)
    }
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = false
    var value: Bool {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}

@Suite struct ControlCharacterTests {
    @Test func controlCharactersNeverReachTheTerminalRaw() {
        let renderer = HumanRenderer(color: true)
        let text = renderer.render([.line([Span("a\u{1B}]0;pwned\u{07}b", .red)]), .indented(["x\u{1B}[2Jy"]), .pairs([("k\u{9B}", [Span("v\u{7F}")])])])
        #expect(text == "\u{1B}[31ma\\x1b]0;pwned\\x07b\u{1B}[0m\n  x\\x1b[2Jy\n  \u{1B}[36mk\\x9b\u{1B}[0m  v\\x7f\n")
        #expect(ControlCharacters.escaped("tab\tand\nnewline stay") == "tab\tand\nnewline stay")
    }

    @Test func errorMessagesAreEscapedToo() {
        let s = CapturedSession()
        s.run("explain nxlink nope\u{1B}[2J")
        #expect(!s.err.contains("\u{1B}[2J"))
        #expect(s.err.contains("\\x1b[2J"))
    }
}
