import TextSupport

/// Where completion candidates for an argument or flag value come from.
public enum CompletionSource {
    case none
    case words([String])
    /// Paths on disk (also offered after `@`).
    case files
    /// Computed from the session (vendor ids, code values, …).
    case dynamic((CompletionRequest) -> [String])
    /// Computed, each with a description shown beside it in the list (a code and its meaning).
    case described((CompletionRequest) -> [(word: String, description: String)])
}

/// A `--name` flag a command accepts.
public struct FlagSpec {
    public enum Kind: Equatable { case bool, value(placeholder: String) }

    public var name: String
    public var short: Character?
    public var kind: Kind
    public var summary: String
    /// A line that uses this flag is kept out of the history file.
    public var sensitive: Bool
    public var repeatable: Bool
    public var completion: CompletionSource

    public init(_ name: String, short: Character? = nil, _ kind: Kind = .bool, summary: String,
                sensitive: Bool = false, repeatable: Bool = false, completion: CompletionSource = .none) {
        self.name = name
        self.short = short
        self.kind = kind
        self.summary = summary
        self.sensitive = sensitive
        self.repeatable = repeatable
        self.completion = completion
    }

    public var takesValue: Bool { kind != .bool }
}

/// A positional argument a command accepts.
public struct ArgumentSpec {
    public var name: String
    public var summary: String
    public var optional: Bool
    public var variadic: Bool
    public var completion: CompletionSource

    public init(_ name: String, summary: String, optional: Bool = false, variadic: Bool = false,
                completion: CompletionSource = .none) {
        self.name = name
        self.summary = summary
        self.optional = optional
        self.variadic = variadic
        self.completion = completion
    }
}

/// What a handler asks the loop to do after it returns.
public struct Outcome {
    public var status: ExitStatus
    public var report: Report?
    /// Ends the session (only the loop acts on it).
    public var quit: Bool

    public init(status: ExitStatus = .ok, report: Report? = nil, quit: Bool = false) {
        self.status = status
        self.report = report
        self.quit = quit
    }

    public static func ok(_ report: Report? = nil) -> Outcome { Outcome(report: report) }
}

public typealias CommandHandler = (CommandContext) throws(CommandError) -> Outcome

/// A command's whole declaration: help, parsing, completion and handler in one value.
public struct CommandSpec {
    public var name: String
    public var aliases: [String]
    /// Heading under which `help` lists it.
    public var group: String
    public var summary: String
    /// The synopsis after the name; derived from arguments and flags when nil.
    public var usage: String?
    public var help: String
    public var examples: [String]
    public var flags: [FlagSpec]
    public var arguments: [ArgumentSpec]
    /// A body that follows the words verbatim (a JSON value, the lines after the first, a heredoc).
    public var acceptsRawBody: Bool
    /// The whole line is kept out of the history file.
    public var sensitive: Bool
    /// Everything after the command word is its body, untokenized (`lua EXPR`, `let NAME = CMD`).
    public var takesRawRemainder = false
    /// Running it leaves `$_` as it was (`expect`, `show`, `vars` look at results, they are none).
    public var keepsLastResult = false
    public var handler: CommandHandler

    public init(name: String, aliases: [String] = [], group: String = "shell", summary: String,
                usage: String? = nil, help: String = "", examples: [String] = [], flags: [FlagSpec] = [],
                arguments: [ArgumentSpec] = [], acceptsRawBody: Bool = false, sensitive: Bool = false,
                handler: @escaping CommandHandler) {
        self.name = name
        self.aliases = aliases
        self.group = group
        self.summary = summary
        self.usage = usage
        self.help = help
        self.examples = examples
        self.flags = flags
        self.arguments = arguments
        self.acceptsRawBody = acceptsRawBody
        self.sensitive = sensitive
        self.handler = handler
    }

    /// Flags every command accepts.
    public static var commonFlags: [FlagSpec] { [
        FlagSpec("json", summary: "print one JSON document on stdout"),
        FlagSpec("help", short: "h", summary: "show this command's help"),
    ] }

    public var allFlags: [FlagSpec] { flags + CommandSpec.commonFlags }

    public var synopsis: String {
        if let usage { return "\(name) \(usage)" }
        var parts = [name]
        for arg in arguments {
            var word = arg.name.uppercased()
            if arg.variadic { word += "…" }
            parts.append(arg.optional ? "[\(word)]" : word)
        }
        if !flags.isEmpty { parts.append("[FLAGS]") }
        return parts.joining(" ")
    }

    public func flag(named name: String) -> FlagSpec? { allFlags.first { $0.name == name } }
    public func flag(short: Character) -> FlagSpec? { allFlags.first { $0.short == short } }
}
