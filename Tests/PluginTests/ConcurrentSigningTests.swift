import Adapters
import Dispatch
import Signing
import Testing
import Wire
import Workbench
@testable import LuaHost

/// The plugin host as the use-cases see it: a `Signer` shared by threads, and pins as the plugin declares them.
@Suite struct ConcurrentSigningTests {
    let host = BundledPluginTests.loadedHost()

    /// A server thread and the shell sign at the same time: every call gets its own trace and the published signature.
    @Test func signsFromManyThreadsWithATracePerCall() throws {
        let alone = try host.sign("itniotech", request: SignRequest(pins: ["ts": "1630468800"]),
                                  credentials: ["apiKey": "bDqJFiq9", "apiSecret": "7bz1lzh9"], trace: true).steps.count
        #expect(alone > 0)
        let results = Slots(count: 32)
        let host = self.host
        DispatchQueue.concurrentPerform(iterations: 32) { i in
            let out = try? host.sign("itniotech", request: SignRequest(pins: ["ts": "1630468800"]),
                                     credentials: ["apiKey": "bDqJFiq9", "apiSecret": "7bz1lzh9"], trace: i % 2 == 0)
            results.set(i, out.map { "\($0.signature) \($0.steps.count)" } ?? "failed")
        }
        let all = results.all
        #expect(all.count == 32)
        #expect(all == (0..<32).map { "05d7a50893e22a5c4bb3216ae3396c7c \($0 % 2 == 0 ? alone : 0)" }, "no call sees another's steps")
    }

    /// Callbot declares its digest values; a SHA256 signature under an MD5 header is diagnosed from that declaration.
    @Test func theDiagnosisTriesTheDigestsThePluginDeclares() throws {
        let callbot = try #require(host.adapter("nxcloud-callbot"))
        #expect(callbot.pins.first { $0.name == "algorithm" }?.values == ["MD5", "SHA256"])
        let credentials = ["uuid": "Vh71ym3yQwWSYZFpqkFwTskGXUbSxDtR", "secretKey": "u7Mf3zUNOkg4lMV9a0E6cHSgIkK22GSr"]
        let body = #"{"taskId":"t1"}"#
        let signed = try host.sign("nxcloud-callbot", request: SignRequest(body: body, pins: ["ts": "1700000000", "request_id": "r1", "algorithm": "SHA256"]),
                                   credentials: credentials)
        let message = HTTPMessage(kind: .request, method: "POST", target: "/hook",
                                  headers: [("uuid", credentials["uuid"]!), ("createTs", "1700000000"), ("requestID", "r1"),
                                            ("algorithm", "MD5"), ("sign", signed.signature)], body: Array(body.utf8))
        let verifier = MessageVerifier(adapters: host.adapters, signer: host, clock: { 1_700_000_000_000 })
        let (adapter, claim) = try verifier.claim(in: message)
        let v = verifier.verify(message, claim: claim, adapter: adapter, credentials: credentials)
        #expect(v.verdict == .mismatch)
        #expect(v.diagnosis.filter(\.matches).map(\.variant) == ["digest sha256"])
        #expect(v.diagnosis.first { $0.matches }?.explanation == "the sender used SHA256 but the algorithm header says MD5")
        #expect(!v.diagnosis.contains { $0.variant == "digest md5" }, "the value the message states is not a cause")
    }
}

final class Slots: @unchecked Sendable {
    private let lock = DispatchSemaphore(value: 1)
    private var values: [String?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: String) { lock.wait(); values[i] = v; lock.signal() }
    var all: [String] { lock.wait(); defer { lock.signal() }; return values.compactMap { $0 } }
}
