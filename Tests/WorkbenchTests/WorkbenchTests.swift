import Adapters
import Dispatch
import Signing
import Testing
import TestSupport
import Wire
import Workbench

@Suite struct RequestPreparationTests {
    func plan(body: String?, credentials: [String: String], ts: String = "1700000000") -> RequestPlan {
        RequestPlan(adapter: FakeSigner.adapter, operation: nil, request: SignRequest(method: "POST", path: "/v1/x", body: body, pins: ["ts": ts]),
                    credentials: credentials, baseURL: "https://api.test")
    }

    @Test func theRequestValueIsWhatWasSigned() throws {
        let prepared = try RequestPreparation(signer: FakeSigner()).prepare(plan(body: #"{"a":1}"#, credentials: ["key": "k1", "secret": "s3cret"]))
        #expect(prepared.http.method == "POST")
        #expect(prepared.url == "https://api.test/v1/x")
        #expect(prepared.http.body == Array(#"{"a":1}"#.utf8))
        #expect(prepared.http.headers.map(\.name) == ["x-key", "x-sign", "x-ts"])
        #expect(prepared.curl == #"curl -X POST 'https://api.test/v1/x' -H 'x-key: k1' -H 'x-sign: \#(prepared.output.signature)' -H 'x-ts: 1700000000' --data-binary '{"a":1}'"#)
    }

    /// Steps are masked where the secret went, never where its text happens to appear.
    @Test func stepsAreMaskedByValueNotBySubstring() throws {
        let prepared = try RequestPreparation(signer: FakeSigner()).prepare(plan(body: #"{"bizType":1}"#, credentials: ["key": "k1", "secret": "b"], ts: "1700000001"))
        #expect(prepared.steps[0].masked == #"k1‹secret›&body={"bizType":1}&ts=1700000001"#)
        #expect(prepared.steps[0].byteCount == #"k1b&body={"bizType":1}&ts=1700000001"#.utf8.count)
        #expect(prepared.steps[0].hexPairs.filter { $0 == "**" }.count == 1)
        #expect(prepared.steps[0].hexPairs[2] == "**")
        #expect(prepared.steps[1].masked == prepared.output.signature)
        let one = try RequestPreparation(signer: FakeSigner()).prepare(plan(body: nil, credentials: ["key": "k1", "secret": "1"], ts: "1111"))
        #expect(one.steps[0].masked == "k1‹secret›&body=&ts=1111")
    }

    @Test func aFailingRecipeIsAConfigurationError() {
        #expect(throws: WorkbenchError(.config, "fake: no secret")) {
            try RequestPreparation(signer: FakeSigner()).prepare(plan(body: nil, credentials: ["key": "k1"]))
        }
    }
}

@Suite struct MessageVerifierTests {
    let verifier = MessageVerifier(adapters: [FakeSigner.adapter], signer: FakeSigner(), clock: { 1_700_000_010_000 })

    @Test func findsTheVendorVerifiesAndChecksTheClock() throws {
        let message = fakeRequest(body: "{}")
        let (adapter, claim) = try verifier.claim(in: message)
        #expect(adapter.id == "fake")
        let v = verifier.verify(message, claim: claim, adapter: adapter, credentials: ["key": "k1", "secret": "s3cret"])
        #expect(v.verdict == .valid)
        #expect(v.clockWarnings.isEmpty)
        let late = verifier.verify(message, claim: claim, adapter: adapter, credentials: ["key": "k1", "secret": "s3cret"], now: 1_700_000_900_000)
        #expect(late.clockWarnings == ["timestamp 1700000000 is 15 min old, outside the ±5 min window; the vendor would answer E42 expired (captures are often checked later: --now pins the clock)"])
    }

    @Test func aMessageWithoutASignatureSaysWhichVendorsWereChecked() {
        #expect(throws: WorkbenchError(.data, "the message carries no signature of a known vendor (checked: fake)",
                                       hint: "verify needs the vendor's signature headers (or query parameters) as they were received")) {
            try verifier.claim(in: HTTPMessage(kind: .request, method: "POST", target: "/", body: []))
        }
    }

    @Test func extremeTimestampsNeverTrap() {
        for (text, ms) in [("9223372036854775807", Int64.max), ("-9223372036854775808", Int64.min), ("0", Int64(0))] {
            let warnings = ClockCheck.warnings(ClockClaim(text: text, epochMilliseconds: ms, windowSeconds: 60), now: Int64.min + 1)
            #expect(warnings.count == 1 || ms == .min, "\(text): \(warnings)")
        }
        #expect(ClockCheck.warnings(ClockClaim(text: "x", epochMilliseconds: 0), now: .max).first?.hasSuffix("(the allowed drift is not documented)") == true)
    }

    @Test func verifyIfPossibleNeedsOnlyTheRequiredSecrets() {
        let store = CredentialStore()
        let message = fakeRequest(body: "{}")
        #expect(verifier.verifyIfPossible(message, vendor: nil, credentials: store) == nil)
        store.set("fake", "secret", "s3cret")
        #expect(verifier.verifyIfPossible(message, vendor: nil, credentials: store)?.verdict == .valid, "the optional token is not needed")
    }

    /// The use-cases are values: many threads verify at once and all agree.
    @Test func verifiesFromManyThreadsAtOnce() {
        let messages = (0..<64).map { fakeRequest(body: "{\"n\":\($0)}", ts: String(1_700_000_000 + $0)) }
        let verdicts = Verdicts(count: messages.count)
        let verifier = self.verifier
        DispatchQueue.concurrentPerform(iterations: messages.count) { i in
            guard let (adapter, claim) = try? verifier.claim(in: messages[i]) else { return }
            verdicts.set(i, verifier.verify(messages[i], claim: claim, adapter: adapter, credentials: ["key": "k1", "secret": "s3cret"]).verdict)
        }
        #expect(verdicts.all == [Verdict](repeating: .valid, count: messages.count))
    }
}

/// Results written by many threads, each to its own slot.
final class Verdicts: @unchecked Sendable {
    private let lock = DispatchSemaphore(value: 1)
    private var slots: [Verdict?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: Verdict) { lock.wait(); slots[i] = v; lock.signal() }
    var all: [Verdict] { lock.wait(); defer { lock.signal() }; return slots.compactMap { $0 } }
}

@Suite struct CredentialReferenceTests {
    @Test func referencesAndNames() throws {
        #expect(try CredentialReference.parse("secret=abc", for: FakeSigner.adapter) == ("secret", "abc"))
        #expect(throws: WorkbenchError(.usage, "fake has no credential 'secrt'", hint: "its credentials: key, secret, token")) {
            try CredentialReference.parse("secrt=abc", for: FakeSigner.adapter)
        }
        #expect(throws: WorkbenchError(.usage, "credential secret: environment variable CALLSCOPE_SURELY_UNSET is not set")) {
            try CredentialReference.parse("secret=env:CALLSCOPE_SURELY_UNSET", for: FakeSigner.adapter)
        }
        #expect(FakeSigner.adapter.requiredCredentialNames == ["key", "secret"])
        #expect(FakeSigner.adapter.requiredSecretNames == ["secret"])
    }
}
