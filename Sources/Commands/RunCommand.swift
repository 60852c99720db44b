import Adapters
import JSONText
import LuaHost
import Shell

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
        // A script that runs itself through cs.exec would overflow the stack: nesting is bounded.
        let depth = session.shared { ScriptDepth() }
        guard depth.value < ScriptDepth.limit else {
            throw CommandError(.negative, "scripts nested \(ScriptDepth.limit) deep (a script running itself through cs.exec?): stopped")
        }
        depth.value += 1
        defer { depth.value -= 1 }
        let roots = session.pluginHost?.roots.map(\.path) ?? []
        let scriptDir = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        var budget = ScriptRunner.defaultBudget
        if let text = context.arguments.value("budget") {
            guard let n = Int(text), n > 0 else { throw CommandError.usage("--budget needs a positive number of instructions, not '\(text)'") }
            budget = n
        }
        let result: PluginValue
        do {
            result = try ScriptRunner.run(path: path, arguments: Array(context.positionals.dropFirst()), budget: budget,
                                          moduleRoots: [scriptDir.isEmpty ? "." : scriptDir] + roots,
                                          exec: { line in ScriptExec.run(line, in: session) },
                                          print: { text in session.output.out(text) })
        } catch let error as LuaError {
            switch error.kind {
            case .syntax, .setup: throw CommandError(.dataError, error.message)
            case .interrupted: throw CommandError(.interrupted, "interrupted")
            default: throw CommandError(.negative, error.message)
            }
        } catch {
            throw CommandError(.internalError, "\(error)")
        }
        if case .null = result { return .ok() }
        let value = PluginShellCommands.json(result)
        return .ok(Report(json: ["result": value], blocks: [.text(PluginShellCommands.render(result))]))
    }
}

/// Runs one command line for a script and returns its JSON document as text.
enum ScriptExec {
    static func run(_ line: String, in session: Session) -> String {
        let head = line.prefix { !$0.isWhitespace }
        let withJSON = head + " --json" + line.dropFirst(head.count)
        var out = ""
        var err = ""
        let saved = session.output
        session.output = OutputSink(out: { out += $0 }, err: { err += $0 })
        let execution = Interpreter.execute(Input(text: String(withJSON)), in: session)
        session.output = saved
        guard execution.status == .ok || !out.isEmpty else {
            let message = err.split(separator: "\n").first.map { String($0.dropFirst($0.hasPrefix("error: ") ? 7 : 0)) } ?? "failed"
            return JSONWriter.compact(["error": .string(message), "status": .int(execution.status.rawValue)])
        }
        guard let values = try? JSONParser.parseSequence(bytes: Array(out.utf8)), !values.isEmpty else { return "null" }
        // A failed command's error document becomes the script's { error = message, status = … }.
        if values.count == 1, case .object(let error)? = values[0]["error"] {
            return JSONWriter.compact(["error": error.first { $0.key == "message" }?.value ?? .string("failed"),
                                       "status": .int(execution.status.rawValue)])
        }
        return JSONWriter.compact(values.count == 1 ? values[0] : .array(values))
    }
}

/// How many `run`s are running inside one another in this session.
final class ScriptDepth {
    static let limit = 16
    var value = 0
}
