import Wire

/// One received delivery: the raw request exactly as it arrived, and what was found in it.
public struct Capture: Sendable {
    public var id: Int64?
    /// Epoch milliseconds.
    public var receivedAt: Int64
    public var peer: String
    public var request: HTTPMessage
    public var vendor: String?
    public var kind: String?
    /// valid, mismatch, unverifiable, or nil when not checked (no signature or no secret).
    public var verdict: String?
    /// One line: the key fields of the delivery.
    public var summary: String
    /// The status it was answered with.
    public var answeredStatus: Int

    public init(id: Int64? = nil, receivedAt: Int64, peer: String, request: HTTPMessage, vendor: String? = nil, kind: String? = nil,
                verdict: String? = nil, summary: String = "", answeredStatus: Int = 0) {
        self.id = id
        self.receivedAt = receivedAt
        self.peer = peer
        self.request = request
        self.vendor = vendor
        self.kind = kind
        self.verdict = verdict
        self.summary = summary
        self.answeredStatus = answeredStatus
    }
}

/// Where captures are kept. `append` returns only once the capture is durable, so a listener
/// acknowledges nothing it could still lose. SQLite today; a shared PostgreSQL store can follow.
public protocol CaptureStore: Sendable {
    func append(_ capture: Capture) async throws -> Int64
    func list(vendor: String?, since: Int64?, limit: Int) async throws -> [Capture]
    func get(_ id: Int64) async throws -> Capture?
    /// Deletes one capture, or all with nil; the number deleted.
    func delete(_ id: Int64?) async throws -> Int
    /// Finishes pending writes and closes.
    func close() async
}
