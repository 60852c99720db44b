import Adapters
import Inspect
import Synchronization
import TextSupport
import JSONText
import Signing
import Wire

/// The "receive a webhook" use-case behind `listen`: recognise, verify and summarise a delivery,
/// keep it durably, then answer with the acknowledgement its vendor expects.
public struct WebhookReception: Sendable {
    public let adapters: [Adapter]
    public let verifier: MessageVerifier
    public let credentials: CredentialStore
    public let store: any CaptureStore
    /// Decode as this vendor only.
    public let vendor: String?
    /// Answer with this status and body instead (a failing receiver, to watch the vendor retry).
    public let status: Int?
    public let reply: String?
    /// Built once (detection tables compiled); a delivery borrows one for its summary.
    private let decoders: DeliveryDecoders
    /// The acknowledgement of each "vendor/kind" whose webhook documents one ("vendor/" for a
    /// webhook of no payload kind), written once.
    private let acknowledgements: [String: (status: Int, body: [UInt8])]

    public init(adapters: [Adapter], verifier: MessageVerifier, credentials: CredentialStore, store: any CaptureStore,
                vendor: String?, status: Int?, reply: String?) {
        self.adapters = adapters
        self.verifier = verifier
        self.credentials = credentials
        self.store = store
        self.vendor = vendor
        self.status = status
        self.reply = reply
        decoders = DeliveryDecoders(adapters: adapters, vendor: vendor)
        acknowledgements = WebhookReception.acknowledgements(adapters)
    }

    public struct Outcome: Sendable {
        public var capture: Capture
        public var answer: (status: Int, headers: [(String, String)], body: [UInt8])
        /// The store failed: nothing was acknowledged.
        public var storeError: String?
    }

    /// `elsewhere`: the request is not at the webhook's path — still captured, answered 404.
    public func receive(_ message: HTTPMessage, peer: String, now: Int64, elsewhere: Bool = false) async -> Outcome {
        var capture = Capture(receivedAt: now, peer: peer, request: message)
        // A summary only: the raw bytes are kept, and 'captures show' decodes them in full.
        let (record, malformed) = decoders.summary(message.body)
        if let record, record.vendor != nil {
            capture.vendor = record.vendor
            capture.kind = record.kind
        }
        let verification = verifier.verifyIfPossible(message, vendor: capture.vendor ?? vendor, credentials: credentials)
        if let verification {
            capture.verdict = verification.verdict.rawValue
            capture.vendor = capture.vendor ?? verification.vendor
        }
        capture.summary = malformed.map { "not JSON: \($0)" } ?? WebhookReception.summary(record, verification: verification)
        let json = [("Content-Type", "application/json")]
        let answer = elsewhere ? (404, json, Array(#"{"error":"not here"}"#.utf8))
            : malformed != nil && status == nil ? (400, json, Array(#"{"error":"not JSON"}"#.utf8))
            : acknowledgement(for: capture)
        capture.answeredStatus = answer.0
        do {
            capture.id = try await store.append(capture)
        } catch {
            // Not stored, so not acknowledged: the vendor will deliver it again.
            return Outcome(capture: capture, answer: (503, [("Content-Type", "application/json")], Array(#"{"error":"not stored"}"#.utf8)),
                           storeError: "\(error)")
        }
        return Outcome(capture: capture, answer: answer)
    }

    /// `--status`/`--reply`, else the acknowledgement the vendor expects, else 200 `{}`.
    func acknowledgement(for capture: Capture) -> (Int, [(String, String)], [UInt8]) {
        let json = [("Content-Type", "application/json")]
        if status != nil || reply != nil { return (status ?? 200, json, Array((reply ?? "{}").utf8)) }
        guard let vendor = capture.vendor, let ack = acknowledgements[vendor + "/" + (capture.kind ?? "")] else {
            return (200, json, Array("{}".utf8))
        }
        return (ack.status, json, ack.body)
    }

    /// The body each documented acknowledgement check accepts: `{path: equals}` (0 by default).
    static func acknowledgements(_ adapters: [Adapter]) -> [String: (status: Int, body: [UInt8])] {
        var out: [String: (status: Int, body: [UInt8])] = [:]
        for adapter in adapters {
            for hook in adapter.webhooks {
                let key = adapter.id + "/" + (hook.payload ?? "")
                guard let check = hook.ackCheck, out[key] == nil else { continue }
                var value = JSONValue.object([])
                if let path = check.path {
                    let equals = check.equals ?? "0"
                    JSONPath.set(path, in: &value, to: Int64(equals).map { .int($0) } ?? .string(equals))
                }
                out[key] = (check.status, Array(JSONWriter.compact(value).utf8))
            }
        }
        return out
    }

    /// vendor · kind, the call id, the result with its meaning, the duration, the verdict.
    static func summary(_ record: DecodedRecord?, verification: Verification?) -> String {
        guard let record, let vendor = record.vendor else { return "unrecognised payload" }
        var parts = [vendor, record.kind ?? "?"]
        // The summary record's fields are its call-id members only.
        if let id = record.fields.first {
            parts.append(id.value.stringValue ?? JSONWriter.compact(id.value))
        }
        if let result = record.result { parts.append(result + (record.resultMeaning.map { " \($0)" } ?? "")) }
        if let seconds = record.durationSeconds { parts.append(TimeFormat.duration(seconds: seconds)) }
        // `joining`, not the generic `joined`: this runs for every delivery.
        return parts.joining(" · ")
    }
}

/// The decoders deliveries are summarised with, kept warm between deliveries: one is borrowed for
/// the (synchronous) summary and given back before the delivery is stored, so there are never
/// more than the threads running handlers, and each one's caches and compiled schemas are reused.
final class DeliveryDecoders: Sendable {
    /// A single JSON object an adapter recognises is summarised from its bytes; anything else
    /// (lists, envelopes, invalid JSON) through the value tree, which also words the errors.
    /// Their caches are not shared: a pair moves between threads only through the pool, and one
    /// delivery uses it at a time.
    struct Pair: @unchecked Sendable {
        var bytes: LineAnnotator
        var tree: PayloadDecoder
    }

    private let template: Mutex<Pair>
    private let idle = Mutex<[Pair]>([])

    init(adapters: [Adapter], vendor: String?) {
        var tree = PayloadDecoder(adapters: adapters, vendor: vendor)
        tree.prepareAll()
        template = Mutex(Pair(bytes: LineAnnotator(adapters: adapters, vendor: vendor), tree: tree))
    }

    /// The delivery's summary record (nil when no adapter recognises it), or why it is not JSON.
    func summary(_ body: [UInt8]) -> (record: DecodedRecord?, malformed: String?) {
        var pair = idle.withLock { $0.popLast() } ?? template.withLock { Pair(bytes: $0.bytes.copy(), tree: $0.tree.copy()) }
        let result = DeliveryDecoders.summary(body, with: &pair)
        idle.withLock { [pair] in if $0.count < 64 { $0.append(pair) } }
        return result
    }

    private static func summary(_ body: [UInt8], with pair: inout Pair) -> (record: DecodedRecord?, malformed: String?) {
        if let record = body.withUnsafeBufferPointer({ pair.bytes.summary($0, withIDs: true) }) { return (record, nil) }
        do {
            let (value, _) = try JSONParser.parseLenient(bytes: body)
            return (pair.tree.summary(value), nil)
        } catch {
            return (nil, "\(error.message) at line \(error.line), column \(error.column)")
        }
    }
}
