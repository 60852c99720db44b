import Adapters
import FoundationEssentials

/// Runs a user's Lua in the same sandbox as plugins, with `cs.exec` (shell commands as tables)
/// and `print` wired to the session: a script file (`run`), or an expression or block typed in the
/// shell (`lua`, `=`).
public enum ScriptRunner {
    /// About five seconds of Lua work: an endless loop stops well within ten seconds.
    public static let defaultBudget = 1_000_000_000

    /// What a script can reach besides the sandbox.
    public struct Environment {
        public var moduleRoots: [String]
        public var budget: Int
        public var exec: (String) -> String
        public var print: (String) -> Void
        public init(moduleRoots: [String], budget: Int = ScriptRunner.defaultBudget,
                    exec: @escaping (String) -> String, print: @escaping (String) -> Void) {
            self.moduleRoots = moduleRoots
            self.budget = budget
            self.exec = exec
            self.print = print
        }
    }

    /// A script file; `arg` holds its arguments.
    public static func run(path: String, arguments: [String], environment: Environment) throws(LuaError) -> PluginValue {
        guard let data = FileManager.default.contents(atPath: path) else { throw LuaError(.setup, "cannot read \(path)") }
        let sandbox = try sandbox(environment)
        sandbox.setGlobal("arg", .table(PluginTable(array: arguments.map { .string($0) })))
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return try sandbox.run(source: Array(data), chunkName: name)
    }

    static func sandbox(_ environment: Environment) throws(LuaError) -> LuaSandbox {
        let context = HostContext(moduleRoots: environment.moduleRoots, clock: { Int64((Date().timeIntervalSince1970 * 1000).rounded()) })
        context.exec = environment.exec
        context.print = environment.print
        return try LuaSandbox(limits: .init(memoryBytes: 256 << 20, instructions: environment.budget), context: context)
    }
}
