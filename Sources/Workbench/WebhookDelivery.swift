import Adapters
import Dispatch
import Glibc
import Inspect
import JSONText
import Signing
import Synchronization
import Wire

/// One attempt to deliver a push, and what the receiver said.
public struct DeliveryAttempt: Sendable {
    public var number: Int
    public var status: Int?
    public var milliseconds: Double
    public var acknowledged: Bool
    /// Why it does not count as acknowledged (or the transport error).
    public var reason: String?
    /// Seconds (on the vendor's clock) before the next attempt, when there is one.
    public var nextAfterSeconds: Int?
}

/// The "deliver a vendor-shaped push" use-case behind `trigger`: the body as the vendor sends it,
/// signed where the vendor signs, checked against the acknowledgement the vendor expects, and
/// retried on the vendor's schedule (compressed by `speed`).
public struct WebhookDelivery: Sendable {
    public let adapter: Adapter
    public let webhook: Webhook
    public let signer: any Signer
    public let transport: any Transport

    public init(adapter: Adapter, webhook: Webhook, signer: any Signer, transport: any Transport) {
        self.adapter = adapter
        self.webhook = webhook
        self.signer = signer
        self.transport = transport
    }

    /// The push as it goes on the wire; signed when the vendor signs it (or, for a vendor that
    /// signs optionally, when `sign` is set and credentials are given).
    public func request(to url: String, body: [UInt8], credentials: [String: String], sign: Bool) throws(WorkbenchError) -> HTTPMessage {
        var message = HTTPMessage(kind: .request, method: "POST", target: url, headers: [(name: "Content-Type", value: webhook.contentType)], body: body)
        let signs = webhook.signed == .yes || (webhook.signed == .optional && sign)
        guard signs else { return message }
        let path = HTTPMessage(kind: .request, target: url).path
        do {
            let output = try signer.sign(adapter.id, request: SignRequest(method: "POST", path: path, body: String(decoding: body, as: UTF8.self)),
                                         credentials: credentials, trace: false)
            message.headers += output.headers.filter { $0.0.lowercased() != "content-type" }.map { (name: $0.0, value: $0.1) }
        } catch {
            throw WorkbenchError(error, hint: "give the credentials the vendor signs its pushes with (--cred)")
        }
        return message
    }

    /// Delivers with retries: the vendor's schedule, else `retries` more attempts `every` seconds.
    public func deliver(_ message: HTTPMessage, options: TransportOptions, retries: Int?, every: Int, speed: Double,
                        cancel: Cancellation, attempt report: (DeliveryAttempt) -> Void) -> [DeliveryAttempt] {
        let schedule = retries.map { Array(repeating: every, count: $0) } ?? webhook.retrySchedule
        var attempts: [DeliveryAttempt] = []
        var previous = 0
        for number in 1...(schedule.count + 1) {
            var attempt = once(message, options: options, number: number)
            if !attempt.acknowledged, number <= schedule.count {
                attempt.nextAfterSeconds = schedule[number - 1]
            }
            report(attempt)
            attempts.append(attempt)
            guard !attempt.acknowledged, number <= schedule.count else { break }
            // The schedule counts from the first failure; wait the difference, compressed.
            let wait = Double(schedule[number - 1] - previous) / max(speed, 0.000_001)
            previous = schedule[number - 1]
            if !sleep(seconds: wait, cancel: cancel) { break }
        }
        return attempts
    }

    public func once(_ message: HTTPMessage, options: TransportOptions, number: Int = 1) -> DeliveryAttempt {
        do {
            let (response, timing) = try transport.send(message, options: options)
            let (ok, reason) = acknowledged(response)
            return DeliveryAttempt(number: number, status: response.status, milliseconds: timing.totalMilliseconds, acknowledged: ok, reason: reason)
        } catch {
            return DeliveryAttempt(number: number, status: nil, milliseconds: 0, acknowledged: false, reason: error.message)
        }
    }

    /// Whether the answer is the acknowledgement the vendor expects; a 2xx when that is not documented.
    func acknowledged(_ response: HTTPMessage) -> (Bool, String?) {
        let status = response.status ?? 0
        guard let check = webhook.ackCheck else {
            return (200..<300).contains(status) ? (true, nil) : (false, "HTTP \(status) (the vendor's expected answer is not documented: any 2xx counts)")
        }
        guard status == check.status else { return (false, "HTTP \(status), expected \(check.status)") }
        guard let path = check.path else { return (true, nil) }
        guard let value = (try? JSONParser.parse(bytes: response.body)).flatMap({ JSONPath.value(at: path, in: $0) }) else {
            return (false, "no \(path) in the answer, expected \(check.equals.map { "\(path) = \($0)" } ?? "a number")")
        }
        if let expected = check.equals {
            let text = value.stringValue ?? JSONWriter.compact(value)
            return text == expected ? (true, nil) : (false, "\(path) is \(text), expected \(expected)")
        }
        if case .number = value { return (true, nil) }
        return (false, "\(path) is not a number")
    }

    /// Sleeps in short steps; false when cancelled.
    func sleep(seconds: Double, cancel: Cancellation) -> Bool {
        var left = seconds
        while left > 0 {
            if cancel.isCancelled { return false }
            let step = min(left, 0.05)
            usleep(UInt32(step * 1_000_000))
            left -= step
        }
        return !cancel.isCancelled
    }

    /// A burst: `count` deliveries (no retries), `concurrency` at a time; their attempts in order.
    public func burst(_ message: HTTPMessage, options: TransportOptions, count: Int, concurrency: Int) -> [DeliveryAttempt] {
        let results = Mutex<[DeliveryAttempt?]>(Array(repeating: nil, count: count))
        let next = Mutex(0)
        let workers = max(1, min(concurrency, count))
        let group = DispatchGroup()
        let delivery = self
        // Each worker blocks on the network, so each gets a thread of its own: a queue of its own
        // (its thread made on demand), not the global queue, whose few threads Swift's tasks run
        // on too — blocked there, they stalled a server in the same process (`mock`, `listen` in
        // the background) for seconds, until the pool grew.
        for worker in 0..<workers {
            DispatchQueue(label: "callscope.burst-\(worker)").async(group: group) {
                while true {
                    let i = next.withLock { n -> Int in defer { n += 1 }; return n }
                    guard i < count else { return }
                    let attempt = delivery.once(message, options: options, number: i + 1)
                    results.withLock { $0[i] = attempt }
                }
            }
        }
        group.wait()
        return results.withLock { $0.compactMap { $0 } }
    }
}
