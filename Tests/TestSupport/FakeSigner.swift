import Adapters
import Signing
import Wire

/// A signer with a tiny recipe of its own, so Signing and Workbench are tested without Lua:
/// `hex(md5(secret + "&body=" + body + "&ts=" + ts))`, the signature in header `x-sign`, the
/// timestamp (seconds) in `x-ts`, the key in `x-key`.
public struct FakeSigner: Signer {
    public init() {}

    public static let adapter = Adapter(
        id: "fake", name: "Fake vendor", version: "1", summary: "", docs: [], origin: "", regions: [Region(code: "T", name: "test", baseURL: "https://api.test")],
        credentials: [Credential(name: "key", secret: false), Credential(name: "secret", secret: true), Credential(name: "token", secret: true, optional: true)],
        codeTables: [], payloads: [], operations: [], webhooks: [],
        pitfalls: [Pitfall(name: "empty body signed", explanation: "the sender signed no body", body: .empty)],
        conflicts: [], undocumented: [], examples: Examples(), canSign: true, hooks: ["signature_of"],
        pins: [PinSpec(name: "ts", doc: "epoch seconds", unit: .seconds)])

    public func sign(_ vendor: String, request: SignRequest, credentials: [String: String], trace: Bool) throws(SigningError) -> SignOutput {
        guard vendor == "fake" else { throw SigningError("\(vendor) is not loaded") }
        guard let secret = credentials["secret"] else { throw SigningError("fake: no secret") }
        let ts = request.pins["ts"] ?? "1700000000"
        let raw = (credentials["key"] ?? "") + secret + "&body=" + (request.body ?? "") + "&ts=" + ts
        let digest = Primitives.hex(Primitives.digest(.md5, Array(raw.utf8)))
        return SignOutput(headers: [("x-key", credentials["key"] ?? ""), ("x-sign", digest), ("x-ts", ts)], query: [], signature: digest,
                          steps: trace ? [TraceStep(name: "string to sign", value: raw), TraceStep(name: "md5 hex", value: digest)] : [])
    }

    public func signatureOf(_ vendor: String, message: HTTPMessage) throws(SigningError) -> SignatureClaim? {
        guard vendor == "fake", let sign = message.header("x-sign") else { return nil }
        let ts = message.header("x-ts") ?? ""
        return SignatureClaim(vendor: vendor, received: sign, publicCredentials: ["key": message.header("x-key") ?? ""], pins: ["ts": ts],
                              clock: ClockClaim(text: ts, epochMilliseconds: Int64(ts).flatMap { $0.multipliedReportingOverflow(by: 1000).overflow ? nil : $0 * 1000 },
                                                windowSeconds: 300, error: "E42 expired"))
    }
}

/// A raw request signed by the fake vendor.
public func fakeRequest(body: String, secret: String = "s3cret", ts: String = "1700000000", key: String = "k1") -> HTTPMessage {
    let signature = try! FakeSigner().sign("fake", request: SignRequest(body: body, pins: ["ts": ts]), credentials: ["key": key, "secret": secret], trace: false).signature
    return HTTPMessage(kind: .request, method: "POST", target: "/hook", headers: [("x-key", key), ("x-ts", ts), ("x-sign", signature)], body: Array(body.utf8))
}
