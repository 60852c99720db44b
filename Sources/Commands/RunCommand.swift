import FoundationEssentials
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

/// How many `run`s are running inside one another in this session.
final class ScriptDepth {
    static let limit = 16
    var value = 0
}
