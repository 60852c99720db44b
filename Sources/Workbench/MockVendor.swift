import Adapters
import Inspect
import JSONText
import Signing
import Synchronization
import TextSupport
import Wire

/// How the mock behaves beyond what the vendor does: its credentials, data and faults.
public struct MockOptions: Sendable {
    public var credentials: [String: String]
    public var seed: UInt64 = 1
    /// How many records a listing operation holds in all (paged as the operation pages).
    public var records = 25
    public var latencyMilliseconds = 0
    /// The share of requests answered with a 503, chosen by the seeded generator.
    public var failRate = 0.0
    /// Answer every request with the timestamp error.
    public var expire = false

    public init(credentials: [String: String]) { self.credentials = credentials }
}

/// One answer of the mock, with what it found.
public struct MockAnswer: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// valid, missing, mismatch, expired, unknown, fault.
    public var verdict: String
    public var operation: String?
    /// The vendor code answered, when there is one.
    public var code: String?
    /// What the log should add: a diagnosis, or that the vendor's answer is not documented.
    public var note: String?
}

/// The "answer as the vendor would" use-case behind `mock`: finds the operation, checks the
/// request with the plugin's own recipe (through the `Signer`), and answers with the vendor's
/// envelope and codes — or with records made from the plugin's fixtures.
public final class MockVendor: Sendable {
    public let adapter: Adapter
    let adapters: [Adapter]
    let signer: any Signer
    public let options: MockOptions
    let clock: @Sendable () -> Int64
    private let synthesis: [String: RecordSynthesis]
    private let faults: Mutex<SplitMix64>
    /// Success bodies by operation and page: the data is a function of the seed, so a page is
    /// made once (bounded, so a client walking a million pages cannot fill memory).
    private let bodies = Mutex<[String: String]>([:])
    static let cachedBodies = 4096
    /// The plugin's say on each answer, for what its data cannot express (its `mock` hook).
    public typealias Adjust = @Sendable (_ request: HTTPMessage, _ answer: MockAnswer) -> MockAnswer
    private let adjust: Adjust?

    public init(adapter: Adapter, adapters: [Adapter], signer: any Signer, options: MockOptions,
                clock: @escaping @Sendable () -> Int64 = MessageVerifier.systemClock, adjust: Adjust? = nil) {
        self.adapter = adapter
        self.adapters = adapters
        self.signer = signer
        self.options = options
        self.clock = clock
        self.adjust = adjust
        var synthesis: [String: RecordSynthesis] = [:]
        for data in adapter.mock.operations {
            synthesis[data.operation] = RecordSynthesis(adapter: adapter, data: data, adapters: adapters, seed: options.seed)
        }
        self.synthesis = synthesis
        faults = Mutex(SplitMix64(seed: options.seed ^ 0x5EED))
    }

    public func answer(to message: HTTPMessage) -> MockAnswer {
        let answer = decide(message)
        return adjust.map { $0(message, answer) } ?? answer
    }

    /// The answer the plugin's data gives: the operation, the checks in the vendor's order, the
    /// vendor's error or a page of records.
    func decide(_ message: HTTPMessage) -> MockAnswer {
        guard let operation = operation(for: message) else {
            return plain(404, verdict: "unknown", note: "\(adapter.id) has no operation \(message.method ?? "?") \(message.path)")
        }
        if options.failRate > 0, faults.withLock({ Double($0.next() % 1_000_000) / 1_000_000 }) < options.failRate {
            var answer = plain(503, verdict: "fault", note: "injected failure (--fail-rate)")
            answer.operation = operation.name
            return answer
        }
        let errors = adapter.mock.errors.first { $0.table == operation.response?.table } ?? adapter.mock.errors.first
        let claim: SignatureClaim?
        do { claim = try signer.signatureOf(adapter.id, message: message) } catch {
            return plain(500, verdict: "unverifiable", note: "the plugin failed: \(error.message)")
        }
        guard let claim else { return vendorError(errors?.missing, operation, verdict: "missing", what: "a missing signature header") }
        if let expected = errors?.mediaType, let code = errors?.contentType, !message.body.isEmpty {
            let sent = message.headers.first { $0.name.lowercased() == "content-type" }?.value
            let media = sent.map { $0.prefix { $0 != ";" }.trimmingBlanks().lowercased() }
            if media != expected.lowercased() {
                var answer = vendorError(code, operation, verdict: "content-type", what: "a wrong Content-Type")
                answer.note = ([answer.note].compactMap { $0 }
                               + ["Content-Type \(sent.map { "'\($0)'" } ?? "missing"), expected \(expected)"]).joined(separator: "; ")
                return answer
            }
        }
        if options.expire { return vendorError(errors?.expired, operation, verdict: "expired", what: "an expired timestamp (--expire)") }
        let clockProblems = ClockCheck.warnings(claim.clock, now: clock())
        if !clockProblems.isEmpty {
            var answer = vendorError(errors?.expired, operation, verdict: "expired", what: "a timestamp outside the window")
            answer.note = ([answer.note].compactMap { $0 } + clockProblems).joined(separator: "; ")
            return answer
        }
        let credentials = options.credentials.merging(claim.publicCredentials) { $1 }
        let verification = Verifier(signer: signer).verify(message, claim: claim, adapter: adapter, credentials: credentials, trace: false)
        guard verification.verdict == .valid else {
            var answer = vendorError(errors?.signature, operation, verdict: "mismatch", what: "a wrong signature")
            let causes = verification.diagnosis.filter(\.matches).map(\.variant)
            let reason = verification.reason ?? (causes.isEmpty ? "no usual mistake reproduces it" : "reproduced by: " + causes.joined(separator: ", "))
            answer.note = ([answer.note].compactMap { $0 } + [reason]).joined(separator: "; ")
            return answer
        }
        return success(operation, request: message)
    }

    /// The operation at the message's method and path; where several share a path (RPC styles),
    /// the one whose name the message carries as a header or query value.
    func operation(for message: HTTPMessage) -> Operation? {
        let method = message.method ?? "POST"
        let path = message.path
        let candidates = adapter.operations.filter { $0.method == method && $0.path == path }
        if candidates.count <= 1 { return candidates.first }
        let values = Set(message.headers.map(\.value) + message.queryItems.map(\.1))
        return candidates.first { values.contains($0.name) }
    }

    func vendorError(_ code: String?, _ operation: Operation, verdict: String, what: String) -> MockAnswer {
        guard let code, let envelope = operation.response else {
            var answer = plain(400, verdict: verdict, note: "\(adapter.id)'s answer to \(what) is not documented; answered 400")
            answer.operation = operation.name
            return answer
        }
        let meaning = envelope.table.flatMap { adapter.table(named: $0) }?.entry(code)?.meaning
        var value = JSONValue.object([])
        JSONPath.set(envelope.codeField, in: &value, to: Int64(code).map { .int($0) } ?? .string(code))
        if let field = envelope.messageField { JSONPath.set(field, in: &value, to: .string(meaning ?? code)) }
        return MockAnswer(status: 200, headers: [("Content-Type", "application/json")], body: Array(JSONWriter.compact(value).utf8),
                          verdict: verdict, operation: operation.name, code: code,
                          note: "message text not documented: the table's meaning is sent")
    }

    func success(_ operation: Operation, request: HTTPMessage) -> MockAnswer {
        let (body, note) = successBody(operation, request: request)
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        if adapter.mock.signsResponses,
           let signed = try? signer.sign(adapter.id, request: SignRequest(method: request.method ?? "POST", path: request.path, body: body),
                                         credentials: options.credentials, trace: false) {
            headers += signed.headers.filter { $0.0.lowercased() != "content-type" }
        }
        return MockAnswer(status: 200, headers: headers, body: Array(body.utf8), verdict: "valid", operation: operation.name,
                          code: operation.response?.success, note: note)
    }

    /// The success body for the request's page, from the cache when it was made before.
    func successBody(_ operation: Operation, request: HTTPMessage) -> (String, String?) {
        let pageKey = pageRequest(operation, request: request).map { "\(operation.name)|\($0.page)|\($0.size)" } ?? operation.name
        if let cached = bodies.withLock({ $0[pageKey] }) { return (cached, noteFor(operation)) }
        let made = makeSuccessBody(operation, request: request)
        bodies.withLock { cache in
            if cache.count >= MockVendor.cachedBodies { cache.removeAll(keepingCapacity: true) }
            cache[pageKey] = made
        }
        return (made, noteFor(operation))
    }

    func noteFor(_ operation: Operation) -> String? {
        synthesis[operation.name] == nil ? "the data of \(operation.name)'s answer is not documented in the plugin: the envelope alone is sent" : nil
    }

    func makeSuccessBody(_ operation: Operation, request: HTTPMessage) -> String {
        var value = JSONValue.object([])
        if let envelope = operation.response {
            JSONPath.set(envelope.codeField, in: &value, to: Int64(envelope.success).map { .int($0) } ?? .string(envelope.success))
            if let field = envelope.messageField {
                let meaning = envelope.table.flatMap { adapter.table(named: $0) }?.entry(envelope.success)?.meaning ?? "success"
                JSONPath.set(field, in: &value, to: .string(meaning))
            }
        }
        if let data = adapter.mock.operations.first(where: { $0.operation == operation.name }), let synthesis = synthesis[operation.name] {
            if let list = data.list {
                let (records, total) = page(operation, request: request, synthesis: synthesis)
                JSONPath.set(list, in: &value, to: .array(records))
                if let totalField = operation.paging?.totalField { JSONPath.set(totalField, in: &value, to: .int(total)) }
            } else {
                JSONPath.set(operation.response?.dataField ?? "data", in: &value, to: synthesis.record(0))
            }
        }
        return JSONWriter.compact(value)
    }

    /// The page and size the request asks for, when the operation pages.
    func pageRequest(_ operation: Operation, request: HTTPMessage) -> (page: Int, size: Int)? {
        guard let paging = operation.paging else { return nil }
        let body = try? JSONParser.parse(bytes: request.body)
        let number = { (key: String) in body.flatMap { JSONPath.value(at: key, in: $0) }?.intValue }
        let size = max(1, min(number(paging.sizeField) ?? paging.maxSize ?? 10, paging.maxSize ?? 1000))
        return (max(1, number(paging.pageField) ?? 1), size)
    }

    /// The records of the page the request asks for, and the total.
    func page(_ operation: Operation, request: HTTPMessage, synthesis: RecordSynthesis) -> ([JSONValue], Int) {
        let total = max(0, options.records)
        guard let (page, size) = pageRequest(operation, request: request) else { return ((0..<min(total, 1000)).map(synthesis.record), total) }
        let start = (page - 1).multipliedReportingOverflow(by: size)
        guard !start.overflow, start.partialValue < total else { return ([], total) }
        return ((start.partialValue..<min(total, start.partialValue + size)).map(synthesis.record), total)
    }

    func plain(_ status: Int, verdict: String, note: String) -> MockAnswer {
        let body = JSONWriter.compact(["mock": .string(note)])
        return MockAnswer(status: status, headers: [("Content-Type", "application/json")], body: Array(body.utf8), verdict: verdict, note: note)
    }
}
