import Glibc
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Wire

/// An HTTP server (Hummingbird) that hands every request, as an `HTTPMessage` with its peer, to a
/// handler and sends back what it returns. Runs on its own threads until `stop()`; used by `mock`
/// and `listen`. A body over `maxBodyBytes` is answered 413 by the server itself.
public final class HTTPServer: Sendable {
    public struct Answer: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]
        /// Wait this long before answering (a slow vendor, on demand).
        public var delayMilliseconds: Int
        public init(status: Int, headers: [(String, String)], body: [UInt8], delayMilliseconds: Int = 0) {
            self.status = status
            self.headers = headers
            self.body = body
            self.delayMilliseconds = delayMilliseconds
        }
    }

    public typealias Handler = @Sendable (_ request: HTTPMessage, _ peer: String) async -> Answer

    /// What a request's context keeps: the peer's address.
    struct PeerContext: RequestContext {
        var coreContext: CoreRequestContextStorage
        let peer: String
        init(source: ApplicationRequestContextSource) {
            coreContext = .init(source: source)
            peer = source.channel.remoteAddress.map(PeerContext.text) ?? "?"
        }

        /// "a.b.c.d:port" written from the address's bytes (NIO's `ipAddress` goes through
        /// `inet_ntop` and a scratch buffer, a large share of a small request); IPv6 through NIO.
        static func text(_ address: SocketAddress) -> String {
            guard case .v4(let v4) = address else { return "\(address.ipAddress ?? "?"):\(address.port ?? 0)" }
            var out: [UInt8] = []
            out.reserveCapacity(21)
            func number(_ n: Int) {
                var divisor = 1
                while divisor * 10 <= n { divisor *= 10 }
                while divisor > 0 {
                    out.append(UInt8(48 + n / divisor % 10))
                    divisor /= 10
                }
            }
            // s_addr is in network order: its first byte in memory is the first number.
            withUnsafeBytes(of: v4.address.sin_addr.s_addr) { bytes in
                for (i, byte) in bytes.enumerated() {
                    if i > 0 { out.append(0x2E) }
                    number(Int(byte))
                }
            }
            out.append(0x3A)
            number(Int(UInt16(bigEndian: v4.address.sin_port)))
            return String(decoding: out, as: UTF8.self)
        }
    }

    private let group: ServiceGroup
    private let task: Task<Void, Never>
    public let host: String
    public let port: Int
    public var baseURL: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// Binds and starts serving; throws when the address cannot be bound.
    public init(host: String, port: Int, maxBodyBytes: Int = 8 << 20, idleTimeoutSeconds: Int = 30, maxConcurrent: Int = 256,
                handler: @escaping Handler) throws {
        let inFlight = InFlight(limit: maxConcurrent)
        let responder = CallbackResponder<PeerContext> { request, context in
            // Over the limit the request is refused at once, before its body is read.
            guard inFlight.enter() else {
                var fields = HTTPFields()
                fields.append(HTTPField(name: .retryAfter, value: "1"))
                fields.append(HTTPField(name: .contentType, value: "application/json"))
                return Response(status: .serviceUnavailable, headers: fields,
                                body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"error":"busy: \#(maxConcurrent) requests in progress"}"#)))
            }
            defer { inFlight.leave() }
            var request = request
            let buffer: ByteBuffer
            do {
                buffer = try await request.collectBody(upTo: maxBodyBytes)
            } catch {
                var fields = HTTPFields()
                fields.append(HTTPField(name: .contentType, value: "application/json"))
                let body = #"{"error":"the body is larger than \#(maxBodyBytes) bytes"}"#
                return Response(status: .contentTooLarge, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
            }
            var message = HTTPMessage(kind: .request, method: request.method.rawValue, target: request.uri.description,
                                      headers: request.headers.map { (name: $0.name.rawName, value: $0.value) },
                                      body: Array(buffer.readableBytesView))
            message.reason = nil
            let answer = await handler(message, context.peer)
            if answer.delayMilliseconds > 0 { try? await Task.sleep(for: .milliseconds(answer.delayMilliseconds)) }
            var fields = HTTPFields()
            for (name, value) in answer.headers {
                if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
            }
            return Response(status: .init(code: answer.status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        let bound = Bound()
        // Nothing of the server's own is logged; a no-op handler also spares the per-request
        // metadata formatting a stream handler does even below its level.
        let logger = Logger(label: "callscope.server", factory: { _ in SwiftLogNoOpLogHandler() })
        let app = Application(responder: responder, server: .http1(configuration: .init(idleTimeout: .seconds(Int64(idleTimeoutSeconds)))),
                              configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
                              onServerRunning: { channel in bound.set(.success(channel.localAddress?.port ?? port)) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        self.group = group
        task = Task {
            do { try await group.run() } catch { bound.set(.failure(error)) }
            bound.set(.failure(ServerStopped()))
        }
        self.host = host
        switch bound.wait(seconds: 10) {
        case .success(let actual): self.port = actual
        case .failure(let error):
            task.cancel()
            throw error
        }
    }

    /// Stops accepting, finishes what is running, and returns when the server is down.
    public func stop() {
        let group = self.group
        let done = Bound()
        Task {
            await group.triggerGracefulShutdown()
            done.set(.success(0))
        }
        _ = done.wait(seconds: 10)
        let task = self.task
        let finished = Bound()
        Task {
            await task.value
            finished.set(.success(0))
        }
        _ = finished.wait(seconds: 10)
    }

    struct ServerStopped: Error, CustomStringConvertible {
        var description: String { "the server stopped before it was listening" }
    }

    /// A result set once from another thread, waited for by the caller.
    final class Bound: Sendable {
        private let value = Mutex<Result<Int, any Error>?>(nil)

        func set(_ result: Result<Int, any Error>) {
            value.withLock { if $0 == nil { $0 = result } }
        }

        func wait(seconds: Int) -> Result<Int, any Error> {
            for _ in 0..<(seconds * 200) {
                if let result = value.withLock({ $0 }) { return result }
                usleep(5000)
            }
            return .failure(TimeoutError())
        }
    }

    struct TimeoutError: Error, CustomStringConvertible {
        var description: String { "timed out" }
    }
}

/// Requests being handled now, bounded.
final class InFlight: Sendable {
    private let count = Mutex(0)
    private let limit: Int
    init(limit: Int) { self.limit = limit }

    func enter() -> Bool {
        count.withLock { n in
            guard n < limit else { return false }
            n += 1
            return true
        }
    }

    func leave() { count.withLock { $0 -= 1 } }
}
