import Adapters
import Wire

/// The answer about a signature.
public enum Verdict: String, Sendable {
    case valid, mismatch, unverifiable
}

/// One re-computation tried while diagnosing a mismatch.
public struct DiagnosisVariant: Sendable, Equatable {
    public var variant: String
    public var matches: Bool
    public var explanation: String
    public init(variant: String, matches: Bool, explanation: String) {
        self.variant = variant
        self.matches = matches
        self.explanation = explanation
    }
}

/// The outcome of checking a signature.
public struct Verification: Sendable, Equatable {
    public var vendor: String?
    public var verdict: Verdict
    public var expected: String?
    public var received: String?
    /// Why the verdict is `unverifiable`.
    public var reason: String?
    public var diagnosis: [DiagnosisVariant] = []
    /// Timestamp window and unit, separate from the verdict.
    public var clockWarnings: [String] = []
    public var steps: [TraceStep] = []
    /// The request the expected signature was computed from (for showing its steps).
    public var signedRequest: SignRequest?
    /// Where our string to sign and the sender's part, when theirs was given.
    public var comparison: [String] = []

    public init(vendor: String?, verdict: Verdict, expected: String? = nil, received: String? = nil, reason: String? = nil) {
        self.vendor = vendor
        self.verdict = verdict
        self.expected = expected
        self.received = received
        self.reason = reason
    }
}

/// Recomputes a received signature with the vendor's recipe and, on a mismatch, tries the ways
/// senders usually get it wrong until one reproduces what was received.
public struct Verifier: Sendable {
    public let signer: any Signer

    public init(signer: any Signer) { self.signer = signer }

    /// With `trace` false the steps are not recorded (a server checking every request needs only
    /// the verdict).
    public func verify(_ message: HTTPMessage, claim: SignatureClaim, adapter: Adapter, credentials: [String: String],
                       theirString: String? = nil, trace: Bool = true) -> Verification {
        let body = String(decoding: message.body, as: UTF8.self)
        let query = claim.query ?? Dictionary(message.queryItems, uniquingKeysWith: { a, _ in a })
        let pins = claim.pins.filter { !$0.value.isEmpty }
        let resign: Diagnosis.Resign = { pins, body, credentials in
            let request = SignRequest(operation: nil, method: message.method ?? "POST", path: message.path, body: body, query: query, pins: pins)
            return try? signer.sign(adapter.id, request: request, credentials: credentials, trace: false).signature
        }
        var result = Verification(vendor: adapter.id, verdict: .unverifiable, received: claim.received)
        let request = SignRequest(operation: nil, method: message.method ?? "POST", path: message.path,
                                  body: message.body.isEmpty ? nil : body, query: query, pins: pins)
        let base: SignOutput
        do {
            base = try signer.sign(adapter.id, request: request, credentials: credentials, trace: trace || theirString != nil)
        } catch {
            result.reason = "the adapter could not compute a signature from this message: \(error.message)"
            return result
        }
        result.expected = base.signature
        result.steps = base.steps
        result.signedRequest = request
        if ConstantTime.equal(base.signature, claim.received) {
            result.verdict = .valid
            return result
        }
        result.verdict = .mismatch
        result.diagnosis = Diagnosis(received: claim.received, expected: base.signature, adapter: adapter, pins: pins, body: body,
                                     credentials: credentials, resign: resign).variants()
        if let theirString {
            let secretValues = adapter.credentials.filter(\.secret).compactMap { credentials[$0.name] }
            result.comparison = StringComparison.lines(ours: base.stringToSign, theirs: theirString, secrets: secretValues)
        }
        return result
    }
}
