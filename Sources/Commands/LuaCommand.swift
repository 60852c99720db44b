import Adapters
import FoundationEssentials
import JSONText
import LuaHost
import Shell
import TextSupport

/// `lua EXPR` and `= EXPR`: Lua typed in the shell, in the session's own Lua state, with the
/// session's results in scope.
public var luaCommand: CommandSpec {
    var spec = CommandSpec(
        name: "lua", summary: "evaluate Lua with the cs API and the session's results (= EXPR is short for it)",
        usage: "[EXPR | BLOCK]",
        help: """
        An expression is evaluated and its value printed (and kept as $_); otherwise the text runs
        as a block of statements. The session has one Lua state: what you define stays defined.
        In scope: the cs module (cs.exec("explain 17") returns a command's JSON as a table), _ (the
        last result), every result kept with 'let', and the session's variables as strings.
        cs.command("name", function(...) … end, "summary") makes a shell command of a function;
        $XDG_CONFIG_HOME/callscope/init.lua runs at start, for a team's own shortcuts. Same sandbox
        as plugins; Ctrl-C stops it. 'lua' alone opens a lua> prompt (Ctrl-D returns); an
        unfinished block continues on the next line.
        """,
        examples: ["= 1 + 2", "= #_.records", "lua for _, r in ipairs(cs.exec('decode @night.ndjson')) do print(r.vendor) end",
                   "lua cs.command('answered', function(f) return cs.exec('decode --summary ' .. f).answer_rate end)"]
    ) { context throws(CommandError) in
        let session = context.session
        let source = context.rawBody ?? ""
        guard !source.trimmingBlanks().isEmpty else { return try LuaPrompt.run(session) }
        return try SessionLua.evaluate(source, in: session)
    }
    spec.takesRawRemainder = true
    return spec
}

/// `lua` alone: a lua> prompt until Ctrl-D, lines continuing while a block is unfinished.
enum LuaPrompt {
    static func run(_ session: Session) throws(CommandError) -> Outcome {
        guard let read = session.readLine else {
            throw CommandError.usage("lua needs an expression or a block here", hint: "= 1 + 2, or lua <<EOF … EOF")
        }
        let workspace = try SessionLua.workspace(session)
        var pending = ""
        while let line = read(pending.isEmpty ? "lua> " : "...> ") {
            pending += pending.isEmpty ? line : "\n" + line
            if workspace.isIncomplete(pending) { continue }
            let source = pending
            pending = ""
            do {
                let outcome = try SessionLua.evaluate(source, in: session)
                if let report = outcome.report { Interpreter.render(report, json: false, session: session) }
            } catch {
                Interpreter.report(error, session: session)
            }
            session.output.flush()
        }
        return .ok()
    }
}

/// What `run` and `lua` share: the script's environment, its errors, its result; and the
/// session's own Lua state with the commands it defines.
public enum SessionLua {
    final class State {
        var workspace: LuaWorkspace?
        /// cs.command names refused (built-in commands), noted once.
        var refused: Set<String> = []
    }

    static func workspace(_ session: Session) throws(CommandError) -> LuaWorkspace {
        let state = session.shared { State() }
        if let existing = state.workspace { return existing }
        let roots = session.pluginHost?.roots.map(\.path) ?? []
        let environment = ScriptRunner.Environment(moduleRoots: ["."] + roots,
                                                   exec: { [unowned session] line in JSONWriter.compact(CommandCapture.run(line, in: session).value) },
                                                   print: { [unowned session] text in session.output.out(text) })
        let made = try run { () throws(LuaError) in try LuaWorkspace(environment: environment) }
        state.workspace = made
        return made
    }

    /// Evaluates in the session's Lua state, with `_`, the results and the variables set first;
    /// then registers the commands `cs.command` defined.
    static func evaluate(_ source: String, in session: Session) throws(CommandError) -> Outcome {
        var globals: [String: PluginValue] = [:]
        for name in session.variables.names { globals[name] = .string(session.variables[name] ?? "") }
        for (name, value) in session.results { globals[name] = PluginValue(json: value) }
        globals["_"] = session.lastResult.map(PluginValue.init(json:)) ?? .null
        let workspace = try workspace(session)
        let result = try ScriptFile.nestedValue(session) { () throws(CommandError) in
            try run { () throws(LuaError) in try workspace.evaluate(source, globals: globals) }
        }
        registerCommands(of: workspace, in: session)
        return outcome(result)
    }

    /// For the input assembler: `lua …` or `= …` whose Lua is an unfinished block continues on the
    /// next line (`...>`), as lua.c decides.
    public static func continuesInput(_ session: Session) -> (String) -> Bool {
        { [unowned session] text in
            let trimmed = text.drop { $0 == " " || $0 == "\t" }
            let source: Substring
            if trimmed.hasPrefix("=") { source = trimmed.dropFirst() }
            else if trimmed.hasPrefix("lua "), !trimmed.hasPrefix("lua <<") { source = trimmed.dropFirst(4) }
            else { return false }
            guard !source.trimmingBlanks().isEmpty, let workspace = try? workspace(session) else { return false }
            return workspace.isIncomplete(String(source))
        }
    }

    /// Runs `$XDG_CONFIG_HOME/callscope/init.lua` when there is one; an error is reported, never fatal.
    public static func loadInit(_ session: Session, environment: [String: String]) {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? ((environment["HOME"] ?? "") + "/.config")
        let path = base + "/callscope/init.lua"
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            let workspace = try workspace(session)
            try run { () throws(LuaError) in try workspace.run(file: path) }
            registerCommands(of: workspace, in: session)
        } catch {
            session.output.err("callscope: \(path): \(error.message) (continuing without it)\n")
        }
    }

    /// Shell commands for the functions given to `cs.command` (never replacing a built-in one).
    static func registerCommands(of workspace: LuaWorkspace, in session: Session) {
        for (name, summary) in workspace.commands() {
            if let existing = session.registry.command(named: name), existing.group != "lua" {
                if session.shared({ State() }).refused.insert(name).inserted {
                    session.output.err("note: cs.command('\(name)') ignored: '\(name)' is a built-in command\n")
                }
                continue
            }
            session.registry.register(CommandSpec(
                name: name, group: "lua", summary: summary ?? "defined in Lua with cs.command", usage: "[ARGS…]",
                help: "Defined in the session's Lua (the lua prompt or init.lua); its arguments are passed as strings.",
                arguments: [ArgumentSpec("args", summary: "passed to the function", optional: true, variadic: true)]
            ) { context throws(CommandError) in
                let result = try ScriptFile.nestedValue(context.session) { () throws(CommandError) in
                    try run { () throws(LuaError) in try workspace.call(name, arguments: context.positionals) }
                }
                return outcome(result)
            })
        }
    }

    static func environment(_ context: CommandContext, folder: String) throws(CommandError) -> ScriptRunner.Environment {
        var budget = ScriptRunner.defaultBudget
        if let text = context.arguments.value("budget") {
            guard let n = Int(text), n > 0 else { throw CommandError.usage("--budget needs a positive number of instructions, not '\(text)'") }
            budget = n
        }
        let session = context.session
        let roots = session.pluginHost?.roots.map(\.path) ?? []
        return ScriptRunner.Environment(moduleRoots: [folder] + roots, budget: budget,
                                        exec: { line in JSONWriter.compact(CommandCapture.run(line, in: session).value) },
                                        print: { text in session.output.out(text) })
    }

    static func run<T>(_ body: () throws(LuaError) -> T) throws(CommandError) -> T {
        do {
            return try body()
        } catch {
            switch error.kind {
            case .syntax, .setup: throw CommandError(.dataError, error.message)
            case .interrupted: throw CommandError(.interrupted, "interrupted")
            default: throw CommandError(.negative, error.message)
            }
        }
    }

    static func outcome(_ result: PluginValue) -> Outcome {
        if case .null = result { return .ok() }
        let value = PluginShellCommands.json(result)
        return .ok(Report(json: ["result": value], blocks: [.text(PluginShellCommands.render(result))]))
    }
}

extension PluginValue {
    /// A JSON value as Lua sees it: objects as tables with string keys, arrays as lists.
    init(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let text): self = Int64(text).map { .integer($0) } ?? .number(Double(text) ?? 0)
        case .string(let s): self = .string(s)
        case .array(let items): self = .table(PluginTable(array: items.map(PluginValue.init(json:))))
        case .object(let members):
            var fields: [String: PluginValue] = [:]
            for member in members { fields[member.key] = PluginValue(json: member.value) }
            self = .table(PluginTable(fields: fields))
        }
    }
}

