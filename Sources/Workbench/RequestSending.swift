import Adapters
import Inspect
import JSONText
import Signing
import Wire

/// The response envelope as the operation declares it: the code, whether it means success, and
/// what the vendor's table says about it.
public struct EnvelopeReading: Sendable, Equatable {
    public var code: String
    public var message: String?
    public var success: Bool
    /// The code's meaning from the envelope's table; nil when the table does not list it.
    public var meaning: String?
    /// What to do about it, from the table.
    public var hint: String?
    public var table: String?
}

/// One request sent and its answer, decoded.
public struct SendResult: Sendable {
    public var prepared: PreparedRequest
    public var response: HTTPMessage
    public var timing: ExchangeTiming
    /// The response body's records, annotated as `decode` does.
    public var records: [DecodedRecord]
    public var envelope: EnvelopeReading?
    /// The response's own signature, for vendors that sign responses (when the secret is known).
    public var verification: Verification?

    /// The vendor said no: an HTTP error status or an envelope code other than success.
    public var isVendorError: Bool { (response.status ?? 0) >= 400 || envelope?.success == false }
    /// Records that were recognised (an envelope with an empty list holds none).
    public var recognisedRecords: [DecodedRecord] { records.filter { $0.kind != nil } }
}

/// The "send a signed request" use-case: sign, send, decode the answer.
public struct RequestSending: Sendable {
    public let adapters: [Adapter]
    public let signer: any Signer
    public let transport: any Transport
    public let credentials: CredentialStore

    public init(adapters: [Adapter], signer: any Signer, transport: any Transport, credentials: CredentialStore) {
        self.adapters = adapters
        self.signer = signer
        self.transport = transport
        self.credentials = credentials
    }

    public func send(_ plan: RequestPlan, options: TransportOptions) throws(WorkbenchError) -> SendResult {
        let prepared = try RequestPreparation(signer: signer).prepare(plan)
        let exchange: (response: HTTPMessage, timing: ExchangeTiming)
        do {
            exchange = try transport.send(prepared.http, options: options)
        } catch {
            throw WorkbenchError(.unavailable, "\(prepared.http.method ?? "POST") \(prepared.url): \(error.message)",
                                 hint: error.kind == .tls ? "for a self-signed test server, --insecure" : nil)
        }
        var result = SendResult(prepared: prepared, response: exchange.response, timing: exchange.timing, records: [])
        let body = exchange.response.body
        if let value = try? JSONParser.parse(bytes: body) {
            var decoder = PayloadDecoder(adapters: adapters, vendor: plan.adapter.id)
            result.records = decoder.decode(value)
            if let envelope = plan.operation?.response { result.envelope = PayloadOrigin.read(envelope, in: value, adapter: plan.adapter) }
        }
        let verifier = MessageVerifier(adapters: adapters, signer: signer)
        result.verification = verifier.verifyIfPossible(exchange.response, vendor: plan.adapter.id, credentials: credentials)
        return result
    }

    /// How a paged send ended.
    public struct PagingOutcome: Sendable {
        public var pages = 0
        public var records = 0
        public var interrupted = false
        /// The page whose answer was a vendor error, which ended the walk.
        public var failed: SendResult?
    }

    /// Follows the operation's paging from the body's page (or 1) until a short page, the stated
    /// total, a vendor error, Ctrl-C, or `maxPages`; `page` gets each answer in order.
    public func sendAllPages(_ plan: RequestPlan, options: TransportOptions, cancel: Cancellation, maxPages: Int = 10_000,
                             page: (SendResult) -> Void) throws(WorkbenchError) -> PagingOutcome {
        guard let paging = plan.operation?.paging else {
            throw WorkbenchError(.usage, "\(plan.adapter.id) \(plan.operation?.name ?? "(no operation)") does not page",
                                 hint: "operations that page: \(plan.adapter.operations.filter { $0.paging != nil }.map(\.name).joined(separator: ", "))")
        }
        var body: [JSONMember]
        if let text = plan.request.body, !text.isEmpty {
            guard case .object(let members)? = try? JSONParser.parse(text) else {
                throw WorkbenchError(.data, "--all needs a JSON object body to set \(paging.pageField) in")
            }
            body = members
        } else {
            body = []
        }
        func number(_ key: String) -> Int? { body.first { $0.key == key }.flatMap { $0.value.intValue } }
        let size = number(paging.sizeField) ?? paging.maxSize ?? 100
        var current = number(paging.pageField) ?? 1
        func set(_ key: String, _ n: Int) {
            if let i = body.firstIndex(where: { $0.key == key }) { body[i].value = .int(n) } else { body.append(JSONMember(key, .int(n))) }
        }
        set(paging.sizeField, size)
        var outcome = PagingOutcome()
        while outcome.pages < maxPages {
            if cancel.isCancelled { outcome.interrupted = true; break }
            set(paging.pageField, current)
            var pagePlan = plan
            pagePlan.request.body = JSONWriter.compact(.object(body))
            let result = try send(pagePlan, options: options)
            outcome.pages += 1
            page(result)
            if result.isVendorError { outcome.failed = result; break }
            let count = result.recognisedRecords.count
            outcome.records += count
            var total: Int?
            if let field = paging.totalField, let value = try? JSONParser.parse(bytes: result.response.body) {
                total = JSONPath.value(at: field, in: value)?.intValue
            }
            if count < size || count == 0 { break }
            if let total, outcome.records >= total { break }
            current += 1
        }
        return outcome
    }
}
