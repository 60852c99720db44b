import Adapters
import Glibc
import Inspect
import Signing
import Wire

/// The "verify a message" use-case: which vendor's signature a message carries, whether it
/// matches, why not, and what the clock says.
public struct MessageVerifier: Sendable {
    public let adapters: [Adapter]
    public let signer: any Signer
    /// Now, in epoch milliseconds.
    public let clock: @Sendable () -> Int64
    /// The adapters that can read a signature (a `signature_of` hook) and the secrets each needs,
    /// found once: a listener asks for every delivery.
    /// (Adapters by position: copying an `Adapter` per delivery cost more than the check.)
    private let signatureReaders: [(id: String, position: Int, secrets: [String])]

    public init(adapters: [Adapter], signer: any Signer, clock: @escaping @Sendable () -> Int64 = MessageVerifier.systemClock) {
        self.adapters = adapters
        self.signer = signer
        self.clock = clock
        signatureReaders = adapters.indices.filter { adapters[$0].hooks.contains("signature_of") }
            .map { (adapters[$0].id, $0, adapters[$0].requiredSecretNames) }
    }

    public static let systemClock: @Sendable () -> Int64 = {
        var tv = timespec()
        clock_gettime(CLOCK_REALTIME, &tv)
        return Int64(tv.tv_sec) * 1000 + Int64(tv.tv_nsec) / 1_000_000
    }

    /// The first adapter (or `vendor`'s) whose `signature_of` hook finds its signature in the message.
    public func claim(in message: HTTPMessage, vendor: String? = nil) throws(WorkbenchError) -> (Adapter, SignatureClaim) {
        var candidates = adapters.filter { $0.hooks.contains("signature_of") }
        if let vendor { candidates = candidates.filter { $0.id == vendor } }
        for adapter in candidates {
            let claim: SignatureClaim?
            do { claim = try signer.signatureOf(adapter.id, message: message) } catch { throw WorkbenchError(error) }
            if let claim { return (adapter, claim) }
        }
        throw WorkbenchError(.data, "the message carries no signature of a known vendor (checked: \(candidates.map(\.id).joined(separator: ", ")))",
                             hint: "verify needs the vendor's signature headers (or query parameters) as they were received")
    }

    /// Recomputes the claimed signature; on a mismatch, diagnoses it. `now` pins the clock.
    public func verify(_ message: HTTPMessage, claim: SignatureClaim, adapter: Adapter, credentials: [String: String],
                       now: Int64? = nil, theirString: String? = nil) -> Verification {
        var result = Verifier(signer: signer).verify(message, claim: claim, adapter: adapter, credentials: credentials, theirString: theirString)
        result.clockWarnings = ClockCheck.warnings(claim.clock, now: now ?? clock())
        return result
    }

    /// Verifies only when the message carries a signature and every secret it needs is known.
    /// Only vendors whose secrets are known are asked to read the message (no Lua otherwise).
    public func verifyIfPossible(_ message: HTTPMessage, vendor: String?, credentials store: CredentialStore) -> Verification? {
        for reader in signatureReaders where vendor == nil || reader.id == vendor {
            let known = store.get(reader.id)
            guard reader.secrets.allSatisfy({ known[$0] != nil }),
                  let claim = try? signer.signatureOf(reader.id, message: message) else { continue }
            return verify(message, claim: claim, adapter: adapters[reader.position], credentials: known.merging(claim.publicCredentials) { $1 })
        }
        return nil
    }
}

/// The timestamp's window and unit, as warnings separate from the verdict.
public enum ClockCheck {
    public static func warnings(_ clock: ClockClaim?, now nowMs: Int64) -> [String] {
        guard let clock else { return [] }
        var warnings: [String] = []
        if let problem = clock.unitProblem { warnings.append(problem) }
        guard let stamp = clock.epochMilliseconds else { return warnings }
        // Saturating: a skew is only displayed, and input may hold any number.
        let (difference, overflow) = nowMs.subtractingReportingOverflow(stamp)
        let skew = overflow ? (stamp > 0 ? Int64.min / 1000 : Int64.max / 1000) : difference / 1000
        let magnitude = skew == .min ? Int64.max : abs(skew)
        let described = "\(TimeFormat.duration(seconds: magnitude)) \(skew >= 0 ? "old" : "in the future")"
        if let window = clock.windowSeconds {
            if magnitude > window {
                let error = clock.error.map { "; the vendor would answer \($0)" } ?? ""
                warnings.append("timestamp \(clock.text) is \(described), outside the ±\(TimeFormat.duration(seconds: window)) window\(error) (captures are often checked later: --now pins the clock)")
            }
        } else if magnitude > 300 {
            warnings.append("timestamp \(clock.text) is \(described) (the allowed drift is not documented)")
        }
        return warnings
    }
}
