import Adapters
import JSONText
import LuaHost
import Shell
import TextSupport

/// `run FILE.lua [ARGS…]`: a Lua script with the plugins' sandbox and `cs` module, plus `cs.exec`,
/// which runs a shell command and returns its --json document as a table.
public var runCommand: CommandSpec {
    CommandSpec(
        name: "run", summary: "run a Lua script; cs.exec(\"COMMAND\") returns a command's JSON as a table",
        usage: "FILE.lua [ARGS…]",
        help: """
        The script runs in the same sandbox as plugins (no io, os only for time), with the whole cs
        module, its arguments in `arg`, and print writing to the shell's output. cs.exec("explain 17")
        runs any command with --json and returns its document as a table (a stream as a list); a
        failing command returns { error = message, status = exit status }. Ctrl-C stops a script at
        once; so does its instruction budget (about five seconds of work by default), which
        --budget raises.
        """,
        examples: ["run report.lua", "callscope run check-signatures.lua captures/", "run --budget 20000000000 crunch.lua"],
        flags: [FlagSpec("budget", .value(placeholder: "INSTRUCTIONS"), summary: "instructions the script may run (default \(ScriptRunner.defaultBudget))")],
        arguments: [ArgumentSpec("file", summary: "the script", completion: .files),
                    ArgumentSpec("args", summary: "passed to the script as arg[1], arg[2], …", optional: true, variadic: true)]
    ) { context throws(CommandError) in
        let session = context.session
        let path = context.positionals[0]
        let scriptDir = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        let environment = try SessionLua.environment(context, folder: scriptDir.isEmpty ? "." : scriptDir)
        // A script that runs itself through cs.exec would overflow the stack: nesting is bounded.
        let result = try ScriptFile.nestedValue(session) { () throws(CommandError) in
            try SessionLua.run { () throws(LuaError) in
                try ScriptRunner.run(path: path, arguments: Array(context.positionals.dropFirst()), environment: environment)
            }
        }
        return SessionLua.outcome(result)
    }
}

/// `lua EXPR` and `= EXPR`: Lua typed in the shell, with the session's results in scope.
public var luaCommand: CommandSpec {
    var spec = CommandSpec(
        name: "lua", summary: "evaluate Lua with the cs API and the session's results (= EXPR is short for it)",
        usage: "EXPR | BLOCK",
        help: """
        An expression is evaluated and its value printed (and kept as $_); otherwise the text runs
        as a block of statements. In scope: the cs module (cs.exec("explain 17") returns a
        command's JSON as a table), _ (the last result), every result kept with 'let', and the
        session's variables as strings. Same sandbox and budget as 'run'; Ctrl-C stops it.
        Several lines: lua <<EOF … EOF.
        """,
        examples: ["= 1 + 2", "= #_.records", "lua for _, r in ipairs(cs.exec('decode @night.ndjson')) do print(r.vendor) end",
                   "= cs.exec('explain 17').matches[1].meaning"],
        flags: [FlagSpec("budget", .value(placeholder: "INSTRUCTIONS"), summary: "instructions it may run (default \(ScriptRunner.defaultBudget))")]
    ) { context throws(CommandError) in
        let session = context.session
        guard let source = context.rawBody, !source.trimmingBlanks().isEmpty else {
            throw CommandError.usage("lua needs an expression or a block", hint: "= 1 + 2")
        }
        var globals: [String: PluginValue] = [:]
        for name in session.variables.names { globals[name] = .string(session.variables[name] ?? "") }
        for (name, value) in session.results { globals[name] = PluginValue(json: value) }
        if let last = session.lastResult { globals["_"] = PluginValue(json: last) }
        let environment = try SessionLua.environment(context, folder: ".")
        let result = try ScriptFile.nestedValue(session) { () throws(CommandError) in
            try SessionLua.run { () throws(LuaError) in try ScriptRunner.evaluate(source, globals: globals, environment: environment) }
        }
        return SessionLua.outcome(result)
    }
    spec.takesRawRemainder = true
    return spec
}

/// What `run` and `lua` share: the script's environment, its errors, its result.
enum SessionLua {
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

    static func run(_ body: () throws(LuaError) -> PluginValue) throws(CommandError) -> PluginValue {
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

/// How many `run`s are running inside one another in this session.
final class ScriptDepth {
    static let limit = 16
    var value = 0
}
