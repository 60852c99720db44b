/// A failure inside a plugin: syntax, runtime error, exhausted budget or memory. The message keeps
/// Lua's `file:line:` prefix where there is one.
public struct LuaError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case syntax, runtime, budget, memory, setup, interrupted }
    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
