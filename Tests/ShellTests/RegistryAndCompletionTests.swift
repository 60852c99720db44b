import Testing
import Commands
@testable import Shell

func makeSpec(_ name: String, aliases: [String] = [], flags: [FlagSpec] = [], arguments: [ArgumentSpec] = [],
              rawBody: Bool = false) -> CommandSpec {
    CommandSpec(name: name, aliases: aliases, summary: "\(name) things", flags: flags, arguments: arguments,
                acceptsRawBody: rawBody) { _ throws(CommandError) in .ok() }
}

@Suite struct RegistryTests {
    let registry = CommandRegistry([
        makeSpec("explain"), makeSpec("exit"), makeSpec("decode"), makeSpec("history"), makeSpec("help", aliases: ["?"]),
    ])

    func name(_ r: CommandRegistry.Resolution) -> String? {
        if case .found(let spec) = r { return spec.name }
        return nil
    }

    @Test func exactAliasAndUniquePrefix() {
        #expect(name(registry.resolve("explain")) == "explain")
        #expect(name(registry.resolve("?")) == "help")
        #expect(name(registry.resolve("expl")) == "explain")
        #expect(name(registry.resolve("d")) == "decode")
    }

    @Test func ambiguousPrefixListsTheCandidates() {
        guard case .ambiguous(let names) = registry.resolve("ex") else { Issue.record("not ambiguous"); return }
        #expect(names == ["exit", "explain"])
    }

    @Test func didYouMean() {
        guard case .unknown(let suggestions) = registry.resolve("expalin") else { Issue.record("found"); return }
        #expect(suggestions.first == "explain")
        guard case .unknown(let none) = registry.resolve("zzzzzz") else { Issue.record("found"); return }
        #expect(none.isEmpty)
    }

    @Test func searchMatchesEveryWord() {
        let builtins = BuiltinCommands.registry()
        #expect(builtins.search("variable").map(\.name).contains("set"))
        #expect(builtins.search("history clear").map(\.name) == ["history"])
        #expect(builtins.search("nonexistentword").isEmpty)
    }
}

@Suite struct CompletionTests {
    let registry = CommandRegistry([
        makeSpec("explain", flags: [FlagSpec("vendor", .value(placeholder: "ID"), summary: "", completion: .words(["nxlink", "itniotech"]))],
                 arguments: [ArgumentSpec("table", summary: "", completion: .words(["callResult", "callStatus"])),
                             ArgumentSpec("code", summary: "", completion: .words(["17", "18"]))]),
        makeSpec("exit"), makeSpec("decode", arguments: [ArgumentSpec("input", summary: "", optional: true, completion: .files)]),
    ])
    let files = FileLister { partial in
        ["fixtures/", "fixtures/a.json", "fixtures/b 1.json", "notes.txt"].filter { $0.hasPrefix(partial) }
    }

    func complete(_ text: String) -> CompletionResult {
        Completer.complete(text, session: nil, registry: registry, fileSystem: files)
    }

    @Test func commandNames() {
        #expect(complete("").candidates == ["decode", "exit", "explain"])
        #expect(complete("ex").candidates == ["exit", "explain"])
        #expect(complete("ex").commonPrefix == "ex")
        #expect(complete("exp").candidates == ["explain"])
        #expect(complete("exp").replaceLength == 3)
    }

    @Test func positionalsByIndexAndFlags() {
        #expect(complete("explain ").candidates == ["callResult", "callStatus"])
        #expect(complete("explain callR").candidates == ["callResult"])
        #expect(complete("explain callResult ").candidates == ["17", "18"])
        #expect(complete("explain --vendor nxlink callResult 1").candidates == ["17", "18"])
        #expect(complete("explain --").candidates == ["--help", "--json", "--vendor"])
        #expect(complete("explain --vendor ").candidates == ["itniotech", "nxlink"])
        #expect(complete("explain --json --").candidates == ["--help", "--vendor"])
    }

    @Test func filesAndAtFiles() {
        #expect(complete("decode fix").candidates == ["fixtures/", "fixtures/a.json", "fixtures/b 1.json"])
        #expect(complete("decode @notes").candidates == ["@notes.txt"])
        #expect(complete("decode @notes").replaceLength == 6)
        #expect(complete("decode \"fixtures/b").candidates == ["fixtures/b 1.json"])
        #expect(complete("decode \"fixtures/b").replaceLength == 11)
    }

    @Test func unknownCommandCompletesNothing() {
        #expect(complete("nosuch ").candidates.isEmpty)
    }

    @Test func unicodeBeforeTheCursor() {
        #expect(complete("explain 中文 ").candidates == ["17", "18"])
    }

    @Test func sessionHooksAddCandidates() {
        let session = Session(registry: registry, history: HistoryStore(path: nil), output: OutputSink(out: { _ in }, err: { _ in }))
        session.completionHooks.append { request in request.words.first == "explain" ? ["callResultX"] : [] }
        let result = Completer.complete("explain callR", session: session, registry: registry, fileSystem: files)
        #expect(result.candidates == ["callResult", "callResultX"])
    }
}
