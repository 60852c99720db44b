/// Process exit statuses (sysexits-style), a contract for scripts.
public enum ExitStatus: Int32, Sendable, CustomStringConvertible {
    case ok = 0
    /// A negative answer: signature mismatch, invalid payload, not found.
    case negative = 1
    case usage = 64
    /// Input that cannot be parsed.
    case dataError = 65
    case unavailable = 69
    case internalError = 70
    /// Bad configuration or plugin.
    case config = 78
    /// Stopped by Ctrl-C (128 + SIGINT, as shells report it).
    case interrupted = 130

    public var description: String {
        switch self {
        case .ok: return "ok"
        case .negative: return "negative"
        case .usage: return "usage"
        case .dataError: return "data error"
        case .unavailable: return "unavailable"
        case .internalError: return "internal error"
        case .config: return "configuration"
        case .interrupted: return "interrupted"
        }
    }
}

/// A failure a command reports to the user: one line of message, where it happened if known,
/// and an optional hint. It never ends the session.
public struct CommandError: Error, Sendable, Equatable {
    public var status: ExitStatus
    public var message: String
    /// Lines of context printed under the message (e.g. the input with a caret under the error).
    public var context: [String]
    public var hint: String?

    public init(_ status: ExitStatus, _ message: String, context: [String] = [], hint: String? = nil) {
        self.status = status
        self.message = message
        self.context = context
        self.hint = hint
    }

    public static func usage(_ message: String, hint: String? = nil) -> CommandError {
        CommandError(.usage, message, hint: hint)
    }
}
