import JSONText
import FoundationEssentials
import Glibc

/// Where a session's output goes; tests capture it, the line editor redraws around it.
public struct OutputSink {
    public var out: (String) -> Void
    public var err: (String) -> Void
    /// UTF-8 bytes for stdout, for large streams, from a buffer the caller owns and that is valid
    /// for the call (defaults to `out`).
    public var outBytes: (UnsafeBufferPointer<UInt8>) -> Void
    /// Pushes buffered stdout to the terminal (between the inputs of a sub-prompt).
    public var flush: () -> Void

    public init(out: @escaping (String) -> Void, err: @escaping (String) -> Void, outBytes: ((UnsafeBufferPointer<UInt8>) -> Void)? = nil,
                flush: @escaping () -> Void = {}) {
        self.out = out
        self.err = err
        self.outBytes = outBytes ?? { out(String(decoding: $0, as: UTF8.self)) }
        self.flush = flush
    }
}

/// Everything a running shell knows: commands, variables, the vendor in use, secrets, history.
public final class Session {
    public var registry: CommandRegistry
    public var variables = Variables()
    /// The adapter in use (`use VENDOR`); shown in the prompt.
    public var vendor: String?
    /// The profile in use (`use NAME` of a config.toml profile); shown in the prompt.
    public var profile: String?
    /// Values that must never reach the history file or be printed unmasked.
    public var secretValues: Set<String> = []
    public let history: HistoryStore
    public var color: Bool
    public var interactive: Bool
    /// Whether the commands came from the process's own arguments (`callscope CMD …`, `-c`), where
    /// any other user of the machine can read them in the process list.
    public var commandsInArguments = false
    public var terminalWidth: Int
    public var lastStatus: ExitStatus = .ok
    public var output: OutputSink
    /// Prints a line that arrives in the background (a listener's notice) without garbling the
    /// line being typed. Callable from any thread.
    public var notify: @Sendable (String) -> Void = { text in FileHandleless.writeStderr(text) }
    /// Writes one line of a command's data to stdout from any thread (a foreground server's
    /// events: one `write` a line, so lines from several threads do not interleave).
    public var emitLine: @Sendable (String) -> Void = { text in FileHandleless.write(text, to: 1) }
    /// Whether the user pressed Ctrl-C since the running command started; long commands poll it.
    public var interruptRequested: @Sendable () -> Bool = { false }
    /// Clears a pending Ctrl-C before a command starts, so one interrupt stops one command.
    public var clearInterrupt: () -> Void = {}
    /// Asked when a command word is unknown: may load more commands (plugins); true if it did.
    public var loadMoreCommands: (() -> Bool)?
    /// Shows a command's human output through a pager when it is longer than the terminal; returns
    /// false when it did not (short output, no terminal, no pager), and the text is printed as usual.
    public var pager: ((String) -> Bool)?
    /// Opens the user's editor on a text and returns the saved text (nil: cancelled, or no terminal).
    public var editText: ((String) -> String?)?
    /// The last input that carried a body (a paste, a heredoc, a multi-line JSON value), for `edit`.
    public var lastBodyInput: String?
    /// Whether a complete-looking input goes on to the next line (an unfinished `lua` block).
    public var inputContinues: ((String) -> Bool)?
    /// Reads one line at a prompt, with echo and editing (the lua> prompt); nil at end of input.
    public var readLine: ((String) -> String?)?
    /// Reads a value without echo (a secret); nil when no terminal or stdin is available.
    public var readSecret: ((String) -> String?)?
    /// Extra completion candidates contributed by adapters.
    public var completionHooks: [(CompletionRequest) -> [String]] = []

    public init(registry: CommandRegistry, history: HistoryStore, output: OutputSink,
                color: Bool = false, interactive: Bool = false, terminalWidth: Int = 100) {
        self.registry = registry
        self.history = history
        self.output = output
        self.color = color
        self.interactive = interactive
        self.terminalWidth = terminalWidth
    }

    /// Session-wide objects owned by higher layers (the plugin host), by type.
    /// A list, not a dictionary: a handful of services, and the first `[ObjectIdentifier: …]`
    /// of a process costs a scan of every protocol conformance in the binary (0.4 M instructions,
    /// a twelfth of `-c help`).
    private var services: [(type: ObjectIdentifier, service: AnyObject)] = []
    public func service<T: AnyObject>(_ type: T.Type) -> T? {
        let id = ObjectIdentifier(type)
        return services.first { $0.type == id }?.service as? T
    }
    public func register<T: AnyObject>(_ service: T) {
        let id = ObjectIdentifier(T.self)
        if let i = services.firstIndex(where: { $0.type == id }) { services[i].service = service } else { services.append((id, service)) }
    }

    public var prompt: String { (profile ?? vendor ?? "callscope") + "> " }
    public let continuationPrompt = "...> "

    /// Command results kept as values: `let NAME = COMMAND …` stores one under NAME.
    public var results: [String: JSONValue] = [:]
    /// The last command's result (`$_`).
    public var lastResult: JSONValue?

    /// A result by name (`_` is the last one).
    public func result(_ name: String) -> JSONValue? { name == "_" ? lastResult : results[name] }

    /// Value of `$name`: `?` is the last exit status; then results (with a path: `r.records[0].callId`,
    /// as text for scalars and compact JSON otherwise); then session variables.
    public func lookup(_ name: String) -> String? {
        if name == "?" { return String(lastStatus.rawValue) }
        let path = ValuePath(name)
        if let base = result(path.base) {
            guard let value = path.resolve(in: base) else { return nil }
            return value.text
        }
        return path.isPlain ? variables[name] : nil
    }

    /// Registers a value as secret (it is masked in output and keeps lines out of history).
    public func addSecret(_ value: String, name: String = "secret") {
        let trimmed = String(value.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
        if !trimmed.isEmpty { secretValues.insert(trimmed) }
    }

    /// The masking pass for this session's output.
    public var masker: SecretMasker { SecretMasker(secrets: secretValues) }

    /// Whether a line must stay out of the history file: it holds a secret as a value, or (for
    /// secrets long enough not to be ordinary text) anywhere.
    public func containsSecret(_ text: String) -> Bool {
        masker.matches(text) || secretValues.contains { $0.count >= 3 && text.contains($0) }
    }
}

/// Writes to stderr without Foundation's FileHandle (unavailable in FoundationEssentials).
enum FileHandleless {
    static func writeStderr(_ text: String) { write(text, to: 2) }

    static func write(_ text: String, to fd: Int32) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }
}
