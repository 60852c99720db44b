import Adapters
import FoundationEssentials

/// The session's own Lua state, kept for the whole session: what the `lua` prompt defines stays
/// defined, `init.lua` runs in it, and `cs.command(name, fn)` turns its functions into shell
/// commands. Same sandbox and limits as plugins and scripts; each call has its own budget.
public final class LuaWorkspace {
    private let sandbox: LuaSandbox

    public init(environment: ScriptRunner.Environment) throws(LuaError) {
        sandbox = try ScriptRunner.sandbox(environment)
    }

    /// An expression (`1 + 2`, `_.records[1].callId`), else a block of statements, after setting
    /// `globals` (the session's results and variables).
    public func evaluate(_ source: String, globals: [String: PluginValue]) throws(LuaError) -> PluginValue {
        for (name, value) in globals { sandbox.setGlobal(name, value) }
        do {
            return try sandbox.run(source: Array(("return " + source).utf8), chunkName: "lua")
        } catch where error.kind == .syntax {
            return try sandbox.run(source: Array(source.utf8), chunkName: "lua")
        }
    }

    /// Runs a file (init.lua) in the workspace.
    public func run(file path: String) throws(LuaError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw LuaError(.setup, "cannot read \(path)") }
        _ = try sandbox.run(source: Array(data), chunkName: path.split(separator: "/").last.map(String.init) ?? path)
    }

    /// Whether a text is an unfinished Lua chunk (`function f()` without its `end`): it fails to
    /// compile at the end of the text, as lua.c decides when to show its continuation prompt.
    public func isIncomplete(_ source: String) -> Bool {
        sandbox.syntaxError(in: "return " + source) != nil && sandbox.syntaxError(in: source)?.hasSuffix("<eof>") == true
    }

    /// The commands defined with `cs.command`, by name, with their summaries.
    public func commands() -> [(name: String, summary: String?)] {
        let listing = "local t = {} for k, v in pairs(cs.commands) do t[#t + 1] = { name = k, summary = v.summary } end return t"
        guard case .table(let t)? = try? sandbox.run(source: Array(listing.utf8), chunkName: "=commands") else { return [] }
        return t.array.compactMap { item in
            guard case .table(let c) = item, case .string(let name)? = c["name"] else { return nil }
            return (name, c["summary"]?.scalarText)
        }
    }

    /// Calls the function behind command `name` with the words typed after it.
    public func call(_ name: String, arguments: [String]) throws(LuaError) -> PluginValue {
        sandbox.setGlobal("__cs_command", .string(name))
        sandbox.setGlobal("__cs_arguments", .table(PluginTable(array: arguments.map { .string($0) })))
        let call = "local c = cs.commands[__cs_command] if not c then error('no command ' .. __cs_command, 0) end return c.fn(table.unpack(__cs_arguments))"
        return try sandbox.run(source: Array(call.utf8), chunkName: "=command")
    }
}
