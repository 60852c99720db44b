import Dispatch
import Glibc
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import Synchronization
import Wire

/// An HTTP/1.1 server (SwiftNIO) that hands every request, as an `HTTPMessage` with its peer, to
/// a handler and sends back what it returns. Runs on NIO's event loops until `stop()`; used by
/// `mock` and `listen`. The server itself answers a body over `maxBodyBytes` with 413, a request
/// beyond `maxConcurrent` in progress with 503, malformed HTTP with 400, and closes a connection
/// idle for `idleTimeoutSeconds`. Requests on one connection are answered in order.
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

    private let channel: any Channel
    private let quiesce: ServerQuiescingHelper
    public let host: String
    public let port: Int
    public var baseURL: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// Binds and starts serving; throws when the address cannot be bound.
    public init(host: String, port: Int, maxBodyBytes: Int = 8 << 20, idleTimeoutSeconds: Int = 30, maxConcurrent: Int = 256,
                handler: @escaping Handler) throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let quiesce = ServerQuiescingHelper(group: group)
        let limits = RequestHandler.Limits(maxBodyBytes: maxBodyBytes, inFlight: InFlight(limit: maxConcurrent))
        let idle = TimeAmount.seconds(Int64(idleTimeoutSeconds))
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(IdleStateHandler(readTimeout: idle))
                    try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                    try pipeline.addHandler(RequestHandler(handler: handler, limits: limits))
                }
            }
        do {
            channel = try bootstrap.bind(host: host, port: port).wait()
        } catch let error as IOError {
            // "Address already in use", not NIO's "bind(descriptor:ptr:bytes:): … (errno: 98)".
            throw BindError(description: String(cString: strerror(error.errnoCode)))
        }
        self.quiesce = quiesce
        self.host = host
        self.port = channel.localAddress?.port ?? port
    }

    /// Stops accepting, lets every connection finish the request it is in, and returns when all
    /// are closed (at most 10 s).
    public func stop() {
        let done = channel.eventLoop.makePromise(of: Void.self)
        quiesce.initiateShutdown(promise: done)
        let finished = DispatchSemaphore(value: 0)
        done.futureResult.whenComplete { _ in finished.signal() }
        _ = finished.wait(timeout: .now() + .seconds(10))
    }

    struct BindError: Error, CustomStringConvertible {
        let description: String
    }

    /// One connection's requests: collects each body (within the limit), hands the request to
    /// the handler off the event loop, and writes its answer back on it.
    final class RequestHandler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        struct Limits: Sendable {
            let maxBodyBytes: Int
            let inFlight: InFlight
        }

        /// What the request being read will get.
        private enum Disposition {
            case handle
            case refuse(status: HTTPResponseStatus, body: String, close: Bool)
        }

        private let handler: Handler
        private let limits: Limits
        private var head: HTTPRequestHead?
        private var body: ByteBuffer?
        private var disposition = Disposition.handle
        /// A request is being handled (the idle timeout does not close the connection then).
        private var busy = false
        /// The peer, written once per connection.
        private var peer: String?

        init(handler: @escaping Handler, limits: Limits) {
            self.handler = handler
            self.limits = limits
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = nil
                busy = true
                if let length = head.headers.first(name: "content-length").flatMap({ Int($0) }), length > limits.maxBodyBytes {
                    disposition = .refuse(status: .payloadTooLarge, body: #"{"error":"the body is larger than \#(limits.maxBodyBytes) bytes"}"#,
                                          close: true)
                } else if limits.inFlight.enter() {
                    disposition = .handle
                } else {
                    // Over the limit the request is refused, its body not kept.
                    disposition = .refuse(status: .serviceUnavailable, body: #"{"error":"busy: \#(limits.inFlight.limit) requests in progress"}"#,
                                          close: false)
                }
            case .body(var chunk):
                guard case .handle = disposition else { return }
                if (body?.readableBytes ?? 0) + chunk.readableBytes > limits.maxBodyBytes {
                    limits.inFlight.leave()
                    body = nil
                    disposition = .refuse(status: .payloadTooLarge, body: #"{"error":"the body is larger than \#(limits.maxBodyBytes) bytes"}"#,
                                          close: true)
                } else if body == nil {
                    body = chunk
                } else {
                    body!.writeBuffer(&chunk)
                }
            case .end:
                guard let head else { return }
                self.head = nil
                switch disposition {
                case .refuse(let status, let text, let close):
                    write(context, version: head.version, keepAlive: head.isKeepAlive && !close, status: Int(status.code),
                          headers: [("Content-Type", "application/json")] + (status == .serviceUnavailable ? [("Retry-After", "1")] : []),
                          body: Array(text.utf8))
                case .handle:
                    handle(context, head: head, body: body.map { Array($0.readableBytesView) } ?? [])
                }
                body = nil
            }
        }

        private func handle(_ context: ChannelHandlerContext, head: HTTPRequestHead, body: [UInt8]) {
            if peer == nil { peer = context.channel.remoteAddress.map(HTTPServer.peerText) ?? "?" }
            let message = HTTPMessage(kind: .request, method: head.method.rawValue, target: head.uri,
                                      headers: head.headers.map { (name: $0.name, value: $0.value) }, body: body)
            let handler = self.handler, peer = self.peer ?? "?"
            let loop = context.eventLoop
            let bound = NIOLoopBound((self, context), eventLoop: loop)
            let (version, keepAlive) = (head.version, head.isKeepAlive)
            let inFlight = limits.inFlight
            Task {
                let answer = await handler(message, peer)
                let send: @Sendable () -> Void = {
                    inFlight.leave()
                    let (me, context) = bound.value
                    me.write(context, version: version, keepAlive: keepAlive, status: answer.status, headers: answer.headers, body: answer.body)
                }
                if answer.delayMilliseconds > 0 {
                    loop.scheduleTask(in: .milliseconds(Int64(answer.delayMilliseconds)), send)
                } else {
                    loop.execute(send)
                }
            }
        }

        private func write(_ context: ChannelHandlerContext, version: HTTPVersion, keepAlive: Bool, status: Int,
                           headers fields: [(String, String)], body: [UInt8]) {
            busy = false
            var headers = HTTPHeaders()
            headers.reserveCapacity(fields.count + 2)
            for (name, value) in fields where !HTTPServer.isFraming(name) { headers.add(name: name, value: value) }
            headers.add(name: "Content-Length", value: String(body.count))
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: status), headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            if !body.isEmpty {
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
            }
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive { done.whenComplete { [context = NIOLoopBound(context, eventLoop: context.eventLoop)] _ in context.value.close(promise: nil) } }
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            // A connection that sends nothing for the idle timeout is closed, unless it waits
            // for an answer.
            if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
                if !busy { context.close(promise: nil) }
                return
            }
            context.fireUserInboundEventTriggered(event)
        }

        func channelInactive(context: ChannelHandlerContext) {
            // A request whose body never finished still held its place.
            if head != nil, case .handle = disposition { limits.inFlight.leave() }
            head = nil
            context.fireChannelInactive()
        }
    }

    /// Headers the server writes itself from the answer.
    static let framingHeaders = ["content-length", "transfer-encoding", "connection"]

    /// Whether `name` is one of `framingHeaders`, ASCII case ignored (compared in place: a
    /// lowercased copy of every header of every answer was an allocation each).
    static func isFraming(_ name: String) -> Bool {
        framingHeaders.contains { framing in
            framing.utf8.count == name.utf8.count
                && zip(framing.utf8, name.utf8).allSatisfy { f, n in f == (n >= 0x41 && n <= 0x5A ? n | 0x20 : n) }
        }
    }

    /// "address:port" of a peer (written once per connection).
    static func peerText(_ address: SocketAddress) -> String {
        "\(address.ipAddress ?? "?"):\(address.port ?? 0)"
    }
}

/// Requests being handled now, bounded.
final class InFlight: Sendable {
    private let count = Mutex(0)
    let limit: Int
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
