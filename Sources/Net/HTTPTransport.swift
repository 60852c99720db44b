import AsyncHTTPClient
import Glibc
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization
import Wire
import Workbench

/// The session's HTTP client (AsyncHTTPClient): one per session, so a script of many sends reuses
/// connections. Created on the first send, so offline commands never start an event loop.
public final class HTTPTransport: Transport {
    private struct Clients {
        var verifying: HTTPClient?
        var insecure: HTTPClient?
    }

    private let clients = Mutex(Clients())
    private let environment: [String: String]

    public init(environment: [String: String]) { self.environment = environment }

    deinit {
        let all = clients.withLock { [$0.verifying, $0.insecure] }
        for client in all.compactMap({ $0 }) { try? client.syncShutdown() }
    }

    private func client(insecure: Bool) -> HTTPClient {
        clients.withLock { c in
            if insecure, let client = c.insecure { return client }
            if !insecure, let client = c.verifying { return client }
            var tls = TLSConfiguration.makeClientConfiguration()
            if insecure { tls.certificateVerification = .none }
            var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow,
                                                         timeout: .init(connect: .seconds(10), read: .seconds(60)))
            configuration.proxy = ProxySetting.from(environment)
            // A refused connection or an unknown host is an answer: say so at once instead of
            // retrying until the deadline.
            configuration.connectionPool.retryConnectionEstablishment = false
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            if insecure { c.insecure = client } else { c.verifying = client }
            return client
        }
    }

    public func send(_ message: HTTPMessage, options: TransportOptions) throws(TransportError) -> (response: HTTPMessage, timing: ExchangeTiming) {
        let url = message.target ?? "/"
        let request: HTTPClient.Request
        do {
            var headers = HTTPHeaders()
            for header in message.headers { headers.add(name: header.name, value: header.value) }
            request = try HTTPClient.Request(url: url, method: HTTPMethod(rawValue: message.method ?? "POST"), headers: headers,
                                             body: message.body.isEmpty ? nil : .bytes(message.body))
        } catch {
            throw TransportError(.invalidURL, "not a URL callscope can send to: \(url)")
        }
        let host = request.host
        let client = client(insecure: options.allowInsecureTLS)
        let collector = ResponseCollector(maxBodyBytes: options.maxBodyBytes)
        let milliseconds = Int64((options.timeoutSeconds * 1000).rounded())
        let task = client.execute(request: request, delegate: collector, deadline: .now() + .milliseconds(milliseconds))
        do {
            return try task.wait()
        } catch {
            throw TransportError.describing(error, host: host, timeout: options.timeoutSeconds)
        }
    }
}

/// Gathers one response and the moments that time it; called on the client's event loop.
final class ResponseCollector: HTTPClientResponseDelegate, Sendable {
    typealias Response = (response: HTTPMessage, timing: ExchangeTiming)

    private struct State {
        var head: HTTPResponseHead?
        var body: [UInt8] = []
        var sentHead: UInt64?
        var firstByte: UInt64?
        var tooLarge = false
    }

    private let state = Mutex(State())
    private let started = ResponseCollector.now()
    private let maxBodyBytes: Int

    init(maxBodyBytes: Int) { self.maxBodyBytes = maxBodyBytes }

    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    func didSendRequestHead(task: HTTPClient.Task<Response>, _ head: HTTPRequestHead) {
        state.withLock { if $0.sentHead == nil { $0.sentHead = ResponseCollector.now() } }
    }

    func didReceiveHead(task: HTTPClient.Task<Response>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        state.withLock {
            $0.head = head
            $0.firstByte = ResponseCollector.now()
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Response>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let fits = state.withLock { s -> Bool in
            guard s.body.count + buffer.readableBytes <= maxBodyBytes else { s.tooLarge = true; return false }
            s.body += buffer.readableBytesView
            return true
        }
        if !fits { return task.eventLoop.makeFailedFuture(TransportError(.tooLarge, "the response is larger than \(maxBodyBytes >> 20) MiB")) }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<Response>) throws -> Response {
        let end = ResponseCollector.now()
        let started = self.started
        return state.withLock { s in
            let ms = { (t: UInt64?) in Double((t ?? end) &- started) / 1_000_000 }
            let head = s.head
            var message = HTTPMessage(kind: .response, status: head.map { Int($0.status.code) },
                                      headers: head?.headers.map { (name: $0.name, value: $0.value) } ?? [], body: s.body)
            message.reason = head?.status.reasonPhrase
            return (message, ExchangeTiming(connectMilliseconds: ms(s.sentHead), firstByteMilliseconds: ms(s.firstByte), totalMilliseconds: ms(end)))
        }
    }
}

extension TransportError {
    /// One clear line for what went wrong on the way.
    static func describing(_ error: any Error, host: String, timeout: Double) -> TransportError {
        if let own = error as? TransportError { return own }
        if let client = error as? HTTPClientError {
            switch client {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                return TransportError(.timeout, "no answer from \(host) within \(TransportError.seconds(timeout)) (--timeout to wait longer)")
            case .remoteConnectionClosed:
                return TransportError(.other, "\(host) closed the connection without answering")
            default:
                return TransportError(.other, "\(client)")
            }
        }
        let text = "\(error)"
        if text.contains("connectionRefused") || text.contains("Connection refused") || text.contains("ECONNREFUSED") {
            return TransportError(.refused, "connection refused by \(host) (is the server running?)")
        }
        if text.contains("dns") || text.contains("DNS") || text.contains("resolve") || text.contains("NXDOMAIN") {
            return TransportError(.unresolved, "cannot resolve host \(host)")
        }
        if error is NIOSSLError || text.contains("handshake") || text.contains("certificate") {
            return TransportError(.tls, "TLS with \(host) failed: \(text)")
        }
        return TransportError(.other, text)
    }

    static func seconds(_ s: Double) -> String { s == s.rounded() ? "\(Int(s)) s" : "\(s) s" }
}

/// The proxy from `https_proxy` / `http_proxy` (either case), except for loopback and `no_proxy` hosts.
enum ProxySetting {
    static func from(_ environment: [String: String]) -> HTTPClient.Configuration.Proxy? {
        let value = environment["https_proxy"] ?? environment["HTTPS_PROXY"] ?? environment["http_proxy"] ?? environment["HTTP_PROXY"]
        guard var text = value, !text.isEmpty else { return nil }
        if let scheme = text.ranges(of: "://").first { text = String(text[scheme.upperBound...]) }
        text = String(text.prefix { $0 != "/" })
        if let at = text.lastIndex(of: "@") { text = String(text[text.index(after: at)...]) }
        let parts = text.split(separator: ":")
        guard let host = parts.first, !host.isEmpty else { return nil }
        let port = parts.count > 1 ? Int(parts[1]) ?? 8080 : 8080
        return .server(host: String(host), port: port)
    }
}
