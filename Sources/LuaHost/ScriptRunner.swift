import Adapters
import FoundationEssentials

/// Runs a user's Lua script in the same sandbox as plugins, with `cs.exec` (shell commands as
/// tables) and `print` wired to the session. `arg` holds the script's arguments.
public enum ScriptRunner {
    /// About five seconds of Lua work: an endless loop stops well within ten seconds.
    public static let defaultBudget = 1_000_000_000

    public static func run(path: String, arguments: [String], budget: Int = defaultBudget, moduleRoots: [String],
                           exec: @escaping (String) -> String, print: @escaping (String) -> Void) throws(LuaError) -> PluginValue {
        guard let data = FileManager.default.contents(atPath: path) else { throw LuaError(.setup, "cannot read \(path)") }
        let context = HostContext(moduleRoots: moduleRoots, clock: { Int64((Date().timeIntervalSince1970 * 1000).rounded()) })
        context.exec = exec
        context.print = print
        let sandbox = try LuaSandbox(limits: .init(memoryBytes: 256 << 20, instructions: budget), context: context)
        sandbox.setGlobal("arg", .table(PluginTable(array: arguments.map { .string($0) })))
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return try sandbox.run(source: Array(data), chunkName: name)
    }
}
