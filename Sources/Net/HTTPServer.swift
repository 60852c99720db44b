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
                    try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: false)
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
    /// the handler, and writes the answers back in the order the requests came.
    ///
    /// Requests that arrive while one is being answered (HTTP/1.1 pipelining) wait here, up to
    /// `maxWaiting`; only beyond that are reads held back. Malformed HTTP is answered 400, after
    /// the requests before it, and the connection closed. (NIO's pipelining helper holds them back
    /// whenever an answer is pending, which drops and re-arms the socket's read interest — two
    /// `epoll_ctl` calls a request, about 6% of a delivery's CPU under load.)
    final class RequestHandler: ChannelDuplexHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundIn = HTTPServerResponsePart
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

        /// A request read whole, waiting for its turn to be answered.
        private struct Ready {
            let head: HTTPRequestHead
            let body: [UInt8]
            let disposition: Disposition
        }

        static let maxWaiting = 16

        private let handler: Handler
        private let limits: Limits
        /// The request being read.
        private var head: HTTPRequestHead?
        private var body: ByteBuffer?
        private var disposition = Disposition.handle
        /// Requests read and not answered yet, in order; the first is being answered when `answering`.
        private var waiting: [Ready] = []
        private var answering = false
        /// A read was asked for while `waiting` was full.
        private var readHeld = false
        /// The server is shutting down: the connection closes once nothing is left to answer.
        private var quiescing = false
        /// An answer closed the connection: whatever else comes is dropped.
        private var closed = false
        /// The peer, written once per connection.
        private var peer: String?
        /// Runs the handler's task on this connection's event loop.
        private var executor: EventLoopTaskExecutor?

        init(handler: @escaping Handler, limits: Limits) {
            self.handler = handler
            self.limits = limits
        }

        /// Nothing being read, waiting or answered.
        private var idle: Bool { !answering && waiting.isEmpty && head == nil }

        private var tooLarge: Disposition {
            .refuse(status: .payloadTooLarge, body: #"{"error":"the body is larger than \#(limits.maxBodyBytes) bytes"}"#, close: true)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if closed { return }
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = nil
                if let length = head.headers.first(name: "content-length").flatMap({ Int($0) }), length > limits.maxBodyBytes {
                    disposition = tooLarge
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
                    disposition = tooLarge
                } else if body == nil {
                    body = chunk
                } else {
                    body!.writeBuffer(&chunk)
                }
            case .end:
                guard let head else { return }
                self.head = nil
                waiting.append(Ready(head: head, body: body.map { Array($0.readableBytesView) } ?? [], disposition: disposition))
                body = nil
                answerNext(context)
            }
        }

        /// Starts answering the first request waiting, unless one is being answered.
        private func answerNext(_ context: ChannelHandlerContext) {
            guard !answering, let next = waiting.first else {
                if quiescing && idle { context.close(promise: nil) }
                return
            }
            answering = true
            let keepAlive = next.head.isKeepAlive
            switch next.disposition {
            case .refuse(let status, let text, let close):
                write(context, version: next.head.version, keepAlive: keepAlive && !close, status: Int(status.code),
                      headers: [("Content-Type", "application/json")] + (status == .serviceUnavailable ? [("Retry-After", "1")] : []),
                      body: Array(text.utf8))
            case .handle:
                handle(context, head: next.head, body: next.body)
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
            if executor == nil { executor = EventLoopTaskExecutor(loop) }
            // On the event loop, not the concurrency pool: the handler's work up to its first wait
            // runs here, and resumes here (no hop to another thread and back per request).
            Task(executorPreference: executor!) {
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

        /// Writes the answer to the first request waiting, then starts on the next.
        private func write(_ context: ChannelHandlerContext, version: HTTPVersion, keepAlive: Bool, status: Int,
                           headers fields: [(String, String)], body: [UInt8]) {
            answering = false
            if !waiting.isEmpty { waiting.removeFirst() }
            if closed { return }
            // Shutting down: the last answer says so.
            let keepAlive = keepAlive && !(quiescing && idle)
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
            if !keepAlive {
                closed = true
                dropWaiting()
                done.whenComplete { [context = NIOLoopBound(context, eventLoop: context.eventLoop)] _ in context.value.close(promise: nil) }
                return
            }
            resumeReading(context)
            answerNext(context)
        }

        /// Forgets the request being read (its body never finished), and its place.
        private func dropUnfinished() {
            if head != nil, case .handle = disposition { limits.inFlight.leave() }
            head = nil
            body = nil
        }

        /// Forgets the requests not answered (the connection is closing), and their places.
        private func dropWaiting() {
            for ready in waiting.dropFirst(answering ? 1 : 0) { if case .handle = ready.disposition { limits.inFlight.leave() } }
            waiting.removeAll()
        }

        /// Reads are held while `maxWaiting` requests wait, and while the answers already written
        /// are not going out (a client that pipelines and never reads would otherwise have them
        /// pile up in memory).
        func read(context: ChannelHandlerContext) {
            if closed { return }
            if waiting.count >= RequestHandler.maxWaiting || !context.channel.isWritable {
                readHeld = true
            } else {
                context.read()
            }
        }

        private func resumeReading(_ context: ChannelHandlerContext) {
            if readHeld && waiting.count < RequestHandler.maxWaiting && context.channel.isWritable {
                readHeld = false
                context.read()
            }
        }

        func channelWritabilityChanged(context: ChannelHandlerContext) {
            resumeReading(context)
            context.fireChannelWritabilityChanged()
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            // A connection that sends nothing for the idle timeout is closed, unless it waits
            // for an answer.
            if let timeout = event as? IdleStateHandler.IdleStateEvent, timeout == .read {
                if !answering && waiting.isEmpty { context.close(promise: nil) }
                return
            }
            if event is ChannelShouldQuiesceEvent {
                quiescing = true
                if idle { context.close(promise: nil) }
                return
            }
            context.fireUserInboundEventTriggered(event)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            guard error is HTTPParserError, !closed else {
                context.close(promise: nil)
                return
            }
            // The decoder reads no more of this connection: the request it was reading is answered
            // 400 in its turn, and nothing after it.
            dropUnfinished()
            waiting.append(Ready(head: HTTPRequestHead(version: .http1_1, method: .GET, uri: "/"), body: [],
                                 disposition: .refuse(status: .badRequest, body: #"{"error":"malformed HTTP request"}"#, close: true)))
            answerNext(context)
        }

        func channelInactive(context: ChannelHandlerContext) {
            // A request whose body never finished still held its place, and so do those waiting.
            dropUnfinished()
            if !closed { dropWaiting() }
            closed = true
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

/// An event loop as a task executor: a task that prefers it runs its synchronous stretches on the
/// loop's thread, and is resumed there.
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop
    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
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
