import Adapters
import JSONText
import LuaHost
import Shell

/// Shell commands contributed by plugins (`commands = { name = { summary, run } }`), registered
/// when the plugins load. A plugin command never replaces a built-in one.
public enum PluginShellCommands {
    public static func register(from host: PluginHost, into session: Session) {
        let builtins = Set(BuiltinCommands.all.map(\.name))
        for adapter in host.adapters {
            for command in adapter.commands where !builtins.contains(command.name) {
                session.registry.register(spec(adapter: adapter.id, command: command))
            }
        }
    }

    static func spec(adapter: String, command: PluginCommand) -> CommandSpec {
        CommandSpec(
            name: command.name, group: "plugin \(adapter)", summary: command.summary, usage: command.usage ?? "[ARGS…]",
            help: "Added by the \(adapter) plugin.",
            arguments: [ArgumentSpec("args", summary: "passed to the plugin", optional: true, variadic: true)]
        ) { context throws(CommandError) in
            guard let host = context.session.pluginHost else { throw CommandError(.config, "no plugin host") }
            let value: PluginValue
            do {
                value = try host.runCommand(adapter, command, arguments: context.positionals)
            } catch let error as LuaError {
                throw CommandError(error.kind == .interrupted ? .interrupted : .config, error.message)
            } catch {
                throw CommandError(.internalError, "\(error)")
            }
            let text = render(value)
            return .ok(Report(json: ["plugin": .string(adapter), "command": .string(command.name), "output": .string(text)],
                              blocks: text.isEmpty ? [] : [.text(text)]))
        }
    }

    /// Strings as they are; anything else as compact JSON.
    static func render(_ value: PluginValue) -> String {
        if case .string(let s) = value { return s }
        return JSONWriter.pretty(json(value))
    }

    static func json(_ value: PluginValue) -> JSONValue {
        switch value {
        case .null, .function: return .null
        case .bool(let b): return .bool(b)
        case .integer(let i): return .int(i)
        case .number(let d): return .double(d)
        case .string(let s): return .string(s)
        case .table(let t):
            if t.fields.isEmpty { return .array(t.array.map(json)) }
            return .object(t.fields.keys.sorted().map { JSONMember($0, json(t.fields[$0]!)) })
        }
    }
}
