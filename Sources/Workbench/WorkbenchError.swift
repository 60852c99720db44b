import Signing

/// Why a use-case could not answer. Commands map `kind` to an exit status in one place.
public struct WorkbenchError: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The request itself is wrong (a missing credential, an unknown name).
        case usage
        /// The input cannot be parsed or read.
        case data
        /// A negative answer (no such adapter, nothing to sign).
        case negative
        /// A plugin or the configuration is broken.
        case config
        /// The network did not answer (refused, no such host, timeout).
        case unavailable
        /// The work was cancelled (Ctrl-C).
        case interrupted
    }

    public var kind: Kind
    public var message: String
    /// Lines shown under the message (the input with a caret).
    public var context: [String]
    public var hint: String?

    public init(_ kind: Kind, _ message: String, context: [String] = [], hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.context = context
        self.hint = hint
    }
}

extension WorkbenchError {
    /// A recipe that could not run: broken plugins are configuration errors, errors the plugin
    /// raised about the message it read are input errors, Ctrl-C is an interruption.
    public init(_ error: SigningError, hint: String? = nil) {
        switch error.kind {
        case .plugin: self.init(.config, error.message, hint: hint)
        case .input: self.init(.data, "the message cannot be read: \(error.message)", hint: hint)
        case .interrupted: self.init(.interrupted, "interrupted")
        }
    }
}

/// Whether the caller has asked the running use-case to stop; polled between units of work.
public struct Cancellation: Sendable {
    private let check: @Sendable () -> Bool
    public init(_ check: @escaping @Sendable () -> Bool) { self.check = check }
    public var isCancelled: Bool { check() }
    public static let never = Cancellation { false }
}
