import Dispatch
import Glibc
@testable import Net
import Testing
import Wire

/// The server's handling of one connection, over a plain socket: pipelined requests, shutdown.
@Suite struct ServerConnectionTests {
    /// A server on 127.0.0.1 whose handler answers with the request's path, after `delays[path]`
    /// milliseconds.
    /// `answerPadding` dots follow the path in each answer. `begun` is signalled as the handler
    /// starts on a request.
    static func server(delays: [String: Int] = [:], idleTimeoutSeconds: Int = 30, answerPadding: Int = 0,
                       begun: DispatchSemaphore? = nil) throws -> HTTPServer {
        try HTTPServer(host: "127.0.0.1", port: 0, idleTimeoutSeconds: idleTimeoutSeconds) { request, _ in
            begun?.signal()
            if let delay = delays[request.path] { try? await Task.sleep(for: .milliseconds(delay)) }
            return HTTPServer.Answer(status: 200, headers: [("Content-Type", "text/plain")],
                                     body: Array(request.path.utf8) + [UInt8](repeating: 0x2E, count: answerPadding))
        }
    }

    /// A connected socket with a 5 s read timeout.
    static func connect(_ port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: in_port_t(UInt16(port).bigEndian),
                                  sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// Writes all of `text` (blocking while the peer does not read).
    static func send(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n <= 0 { return }
            done += n
        }
    }

    /// Everything read until the peer closes, a read times out, or `until` holds for what came.
    static func read(_ fd: Int32, until done: (String) -> Bool = { _ in false }) -> (text: String, closed: Bool) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { return (String(decoding: bytes, as: UTF8.self), n == 0) }
            bytes += chunk[..<n]
            if done(String(decoding: bytes, as: UTF8.self)) { return (String(decoding: bytes, as: UTF8.self), false) }
        }
    }

    static func count(_ text: String, _ part: String) -> Int { text.components(separatedBy: part).count - 1 }

    /// Pipelined requests are answered in the order they came, though the first takes longest.
    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let server = try Self.server(delays: ["/slow": 300, "/middle": 100])
        defer { server.stop() }
        let fd = try Self.connect(server.port)
        defer { close(fd) }
        Self.send(fd, "GET /slow HTTP/1.1\r\nHost: a\r\n\r\nGET /middle HTTP/1.1\r\nHost: a\r\n\r\nGET /fast HTTP/1.1\r\nHost: a\r\n\r\n")
        let (text, _) = Self.read(fd) { Self.count($0, "HTTP/1.1 200 OK") == 3 && $0.hasSuffix("/fast") }
        let bodies = text.components(separatedBy: "\r\n\r\n").dropFirst().map { $0.prefix { $0 != "H" } }
        #expect(bodies == ["/slow", "/middle", "/fast"], "\(text)")
    }

    /// Malformed HTTP after a good request: the good one is answered first, then 400, then the
    /// connection closes.
    @Test func malformedHTTPIsAnsweredInItsTurnAndCloses() throws {
        let server = try Self.server(delays: ["/slow": 200])
        defer { server.stop() }
        let fd = try Self.connect(server.port)
        defer { close(fd) }
        Self.send(fd, "GET /slow HTTP/1.1\r\nHost: a\r\n\r\nGET /x HTTP/1.1\r\nBad Header Line\r\n\r\n")
        let (text, closed) = Self.read(fd)
        #expect(closed)
        let answers = text.components(separatedBy: "HTTP/1.1 ").dropFirst()
        #expect(answers.count == 2, "\(text)")
        #expect(answers.first?.hasPrefix("200 OK") == true && answers.first?.hasSuffix("/slow") == true, "\(text)")
        #expect(answers.last?.hasPrefix("400 Bad Request") == true, "\(text)")
        #expect(answers.last?.lowercased().contains("connection: close") == true, "\(text)")
        #expect(answers.last?.hasSuffix(#"{"error":"malformed HTTP request"}"#) == true, "\(text)")
        // A lone malformed request: 400 at once.
        let other = try Self.connect(server.port)
        defer { close(other) }
        Self.send(other, "NOT HTTP AT ALL\r\n\r\n")
        let lone = Self.read(other)
        #expect(lone.closed && lone.text.hasPrefix("HTTP/1.1 400 Bad Request"), "\(lone.text)")
    }

    /// More pipelined requests than the connection keeps waiting: reads pause, and resume as
    /// answers go out; every request is answered, in order.
    @Test func aLongPipelineIsReadAsAnswersGoOut() throws {
        let server = try Self.server(delays: ["/0": 200])
        defer { server.stop() }
        let fd = try Self.connect(server.port)
        defer { close(fd) }
        // ~1 KB a request, so the pipeline takes several reads of the socket.
        let count = HTTPServer.RequestHandler.maxWaiting * 3
        let pad = String(repeating: "p", count: 1000)
        Self.send(fd, (0..<count).map { "GET /\($0) HTTP/1.1\r\nHost: a\r\nX-Pad: \(pad)\r\n\r\n" }.joined())
        let last = "/\(count - 1)"
        let (text, _) = Self.read(fd) { Self.count($0, "HTTP/1.1 200 OK") == count && $0.hasSuffix(last) }
        let bodies = text.components(separatedBy: "\r\n\r\n").dropFirst().map { String($0.prefix { $0 != "H" }) }
        #expect(bodies == (0..<count).map { "/\($0)" })
    }

    /// A client that pipelines thousands of requests and reads nothing for a while (the answers
    /// fill the socket's buffers, the server's writes wait): once it reads, every request is
    /// answered, in order.
    @Test func aClientThatDoesNotReadIsAnsweredOnceItDoes() throws {
        let server = try Self.server(answerPadding: 4000)
        defer { server.stop() }
        let fd = try Self.connect(server.port)
        defer { close(fd) }
        let (count, padding) = (2000, 4000)
        let pad = String(repeating: "p", count: 1000)
        let pipeline = (0..<count).map { "GET /\($0) HTTP/1.1\r\nHost: a\r\nX-Pad: \(pad)\r\n\r\n" }.joined()
        // Sent from another thread: the sender may block while nobody reads.
        let sent = DispatchGroup()
        DispatchQueue.global().async(group: sent) { Self.send(fd, pipeline) }
        usleep(500_000)
        // Read until the last answer's body has come (its end checked, not the whole text).
        let end = Array(("/\(count - 1)" + String(repeating: ".", count: padding)).utf8)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while !bytes.suffix(end.count).elementsEqual(end) {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            bytes += chunk[..<n]
        }
        #expect(sent.wait(timeout: .now() + 10) == .success)
        let text = String(decoding: bytes, as: UTF8.self)
        let bodies = text.components(separatedBy: "\r\n\r\n").dropFirst().map { String($0.prefix { $0 != "H" && $0 != "." }) }
        #expect(bodies == (0..<count).map { "/\($0)" })
    }

    /// Stopping the server closes an idle keep-alive connection at once, and a busy one once its
    /// answer, which says `Connection: close`, is out.
    @Test func stopClosesKeepAliveConnections() throws {
        let begun = DispatchSemaphore(value: 0)
        let server = try Self.server(delays: ["/slow": 500], begun: begun)
        let idle = try Self.connect(server.port)
        defer { close(idle) }
        Self.send(idle, "GET /first HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(Self.read(idle) { $0.hasSuffix("/first") }.text.hasPrefix("HTTP/1.1 200 OK"))
        try #require(begun.wait(timeout: .now() + 5) == .success)
        let busy = try Self.connect(server.port)
        defer { close(busy) }
        Self.send(busy, "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
        // Stopped only once the handler has the request (one still in the socket's buffer when
        // the idle connection is closed is the client's to send again).
        try #require(begun.wait(timeout: .now() + 5) == .success)
        var started = timespec()
        clock_gettime(CLOCK_MONOTONIC, &started)
        server.stop()
        var ended = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ended)
        #expect(ended.tv_sec - started.tv_sec < 3, "stop waited for the keep-alive connections")
        #expect(Self.read(idle).closed)
        let answer = Self.read(busy)
        #expect(answer.closed)
        #expect(answer.text.hasPrefix("HTTP/1.1 200 OK"))
        #expect(answer.text.lowercased().contains("connection: close"))
        #expect(answer.text.hasSuffix("/slow"))
    }

    /// A client that starts a body and stops sending is closed after the idle timeout.
    @Test func aStalledBodyIsClosedAfterTheIdleTimeout() throws {
        let server = try Self.server(idleTimeoutSeconds: 1)
        defer { server.stop() }
        let fd = try Self.connect(server.port)
        defer { close(fd) }
        Self.send(fd, "POST /hook HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n{\"half\":")
        var started = timespec()
        clock_gettime(CLOCK_MONOTONIC, &started)
        let answer = Self.read(fd)
        var ended = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ended)
        #expect(answer.closed && answer.text.isEmpty)
        #expect(ended.tv_sec - started.tv_sec < 4)
    }
}
