import Wire

/// A vendor's signature recipe, run on demand. The plugin host implements it; tests use fakes.
/// Implementations are safe to call from any thread.
public protocol Signer: Sendable {
    /// Signs `request` as `vendor` does. With `trace`, the output carries every intermediate step of
    /// this call (and of no other).
    func sign(_ vendor: String, request: SignRequest, credentials: [String: String], trace: Bool) throws(SigningError) -> SignOutput
    /// The signature `message` carries as `vendor` reads it, with what is needed to recompute it;
    /// nil when the message carries none of that vendor's.
    func signatureOf(_ vendor: String, message: HTTPMessage) throws(SigningError) -> SignatureClaim?
}

/// A recipe that could not run: the plugin failed, ran out of budget, or has no such function.
public struct SigningError: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The plugin is broken, ran out of budget or memory, or lacks the function.
        case plugin
        /// The plugin raised an error about the message it was reading: the input is at fault.
        case input
        /// Ctrl-C stopped the plugin.
        case interrupted
    }
    public var kind: Kind
    public var message: String
    public init(_ message: String, kind: Kind = .plugin) {
        self.message = message
        self.kind = kind
    }
}

/// What a received message says about its own signature, as the vendor's plugin reads it.
public struct SignatureClaim: Sendable, Equatable {
    public var vendor: String
    /// The signature as received.
    public var received: String
    /// Credentials that travel in the message (an access key, an app id).
    public var publicCredentials: [String: String]
    /// Values to pin when re-signing (the received timestamp, nonce, algorithm, …).
    public var pins: [String: String]
    /// The query to sign, when the plugin reads it differently from the message's own.
    public var query: [String: String]?
    public var clock: ClockClaim?

    public init(vendor: String, received: String, publicCredentials: [String: String] = [:], pins: [String: String] = [:],
                query: [String: String]? = nil, clock: ClockClaim? = nil) {
        self.vendor = vendor
        self.received = received
        self.publicCredentials = publicCredentials
        self.pins = pins
        self.query = query
        self.clock = clock
    }
}

/// The message's timestamp as the plugin reads it, and the vendor's rule for it.
public struct ClockClaim: Sendable, Equatable {
    /// The timestamp as received.
    public var text: String
    /// The same instant in epoch milliseconds, when it could be read.
    public var epochMilliseconds: Int64?
    /// The vendor's allowed drift, when documented.
    public var windowSeconds: Int64?
    /// What the vendor answers outside the window.
    public var error: String?
    /// The plugin's remark on the unit (a seconds value where milliseconds are expected, …).
    public var unitProblem: String?

    public init(text: String, epochMilliseconds: Int64? = nil, windowSeconds: Int64? = nil, error: String? = nil, unitProblem: String? = nil) {
        self.text = text
        self.epochMilliseconds = epochMilliseconds
        self.windowSeconds = windowSeconds
        self.error = error
        self.unitProblem = unitProblem
    }
}
