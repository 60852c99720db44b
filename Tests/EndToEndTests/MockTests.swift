import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import Testing
import TestSupport

/// `mock` as a user runs it: a foreground process on 127.0.0.1, requests from an independent
/// client signed by the test's own implementation of the vendor's published recipe.
@Suite(.serialized) struct MockTests {
    let h = Harness()

    /// A port nothing listens on right now.
    static func freePort() throws -> Int {
        let probe = try LoopbackServer { _ in .init(body: "{}") }
        defer { probe.stop() }
        return probe.port
    }

    /// One session: a listener in the background on a free port, `trigger ARGS --to` it, `listen stop`.
    static func triggerAtBackgroundListener(_ h: Harness, _ trigger: String) throws -> Harness.Result {
        let port = try freePort()
        return try h.run(["-c", "listen --port \(port) --background --quiet",
                          "-c", "trigger \(trigger) --to http://127.0.0.1:\(port)/hook",
                          "-c", "listen stop"])
    }

    /// Runs `callscope mock …` (or `listen …`) until `stop()`; its stderr is the log, its stdout
    /// the output. (Unchecked: a test may kill it from another task; Process is safe for that.)
    final class MockProcess: @unchecked Sendable {
        let process = Process()
        let err = Pipe()
        let out = Pipe()
        let url: String

        /// What the log said before the URL was read from it.
        private var logStart = Data()

        /// With `port` nil the server picks a free port itself (`--port 0`) and its URL is read
        /// from the "listening on" line: no other test can take the port in between.
        init(_ arguments: [String], harness: Harness, command: String = "mock", port fixed: Int? = nil) throws {
            process.executableURL = URL(fileURLWithPath: Harness.binary)
            process.arguments = [command] + arguments + ["--port", String(fixed ?? 0)]
            process.environment = harness.environment
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = out
            process.standardError = err
            try process.run()
            // Listening within 10 s, or the test fails.
            let reader = err.fileHandleForReading.fileDescriptor
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                var poller = pollfd(fd: reader, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 100) >= 0 else { break }
                if poller.revents == 0 { continue }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let n = read(reader, &chunk, chunk.count)
                guard n > 0 else { break }
                logStart.append(contentsOf: chunk[0..<n])
                let log = String(decoding: logStart, as: UTF8.self)
                if let range = log.range(of: "listening on http://") {
                    let address = log[range.upperBound...].prefix { $0 != "\n" && $0 != " " && $0 != "/" }
                    url = "http://" + address
                    return
                }
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw POSIXError(.ETIMEDOUT)
        }

        /// A test that fails before stopping it still leaves no server behind.
        deinit {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }

        /// kill -9: no chance to finish anything.
        func kill9() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        /// Ctrl-C (SIGKILL after 5 s if it does not go), then the log and the output.
        func stop() -> (status: Int32, log: String, output: String) {
            process.interrupt()
            for _ in 0..<100 where process.isRunning { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            let data = logStart + err.fileHandleForReading.readDataToEndOfFile()
            let output = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self), String(decoding: output, as: UTF8.self))
        }
    }

    static func md5(_ text: String) -> String { Insecure.MD5.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined() }

    /// NXLink's recipe (FACTS.md §1.1, the published vector): MD5 over the sorted headers, `&body=`,
    /// the raw body and `&accessSecret=`, lower-case hex; ts in milliseconds.
    static func nxlinkHeaders(body: String, ts: String, key: String = "fme2na3kdi3ki", secret: String = "abciiiko2k3") -> [(String, String)] {
        let sign = md5("accessKey=\(key)&action=nxai&bizType=100&ts=\(ts)&body=\(body)&accessSecret=\(secret)")
        return [("accessKey", key), ("action", "nxai"), ("bizType", "100"), ("ts", ts), ("sign", sign), ("Content-Type", "application/json")]
    }

    static func post(_ url: String, headers: [(String, String)], body: String, client: HTTPClient = .shared) async throws -> (Int, [String: Any]) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: .seconds(5))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))) as? [String: Any] ?? [:]
        return (Int(response.status.code), json)
    }

    static var nowMilliseconds: String { String(Int64(Date().timeIntervalSince1970 * 1000)) }

    @Test func checksRequestsAsTheVendorDoesWithItsOwnCodes() async throws {
        let mock = try MockProcess(["nxlink", "--json"], harness: h)
        let path = mock.url + "/openapi/aiagent/call/list"
        let body = #"{"taskId":"t1","pageNumber":2,"pageSize":10}"#
        let (status, good) = try await Self.post(path, headers: Self.nxlinkHeaders(body: body, ts: Self.nowMilliseconds), body: body)
        #expect(status == 200)
        #expect(good["code"] as? Int == 0)
        let data = try #require(good["data"] as? [String: Any])
        #expect(data["total"] as? Int == 25)
        #expect((data["list"] as? [[String: Any]])?.count == 10, "page 2 of 25 records, 10 a page")
        let wrong = try await Self.post(path, headers: Self.nxlinkHeaders(body: body, ts: Self.nowMilliseconds, secret: "not-it"), body: body)
        #expect(wrong.1["code"] as? Int == 1003)
        let seconds = String(Int64(Date().timeIntervalSince1970))
        let expired = try await Self.post(path, headers: Self.nxlinkHeaders(body: body, ts: seconds), body: body)
        #expect(expired.1["code"] as? Int == 1004)
        let missing = try await Self.post(path, headers: Self.nxlinkHeaders(body: body, ts: Self.nowMilliseconds).filter { $0.0 != "sign" }, body: body)
        #expect(missing.1["code"] as? Int == 1001)
        // Signed minified, sent pretty: the log names the mistake.
        let pretty = "{\n  \"taskId\": \"t1\"\n}"
        _ = try await Self.post(path, headers: Self.nxlinkHeaders(body: #"{"taskId":"t1"}"#, ts: Self.nowMilliseconds), body: pretty)
        // Signed right, sent as form data or with a charset: NXLink's 1003 for the first only.
        let form = Self.nxlinkHeaders(body: body, ts: Self.nowMilliseconds).map { $0.0 == "Content-Type" ? ($0.0, "application/x-www-form-urlencoded") : $0 }
        let formAnswer = try await Self.post(path, headers: form, body: body)
        #expect(formAnswer.1["code"] as? Int == 1003)
        let charset = Self.nxlinkHeaders(body: body, ts: Self.nowMilliseconds).map { $0.0 == "Content-Type" ? ($0.0, "Application/JSON; charset=utf-8") : $0 }
        #expect(try await Self.post(path, headers: charset, body: body).1["code"] as? Int == 0)
        let unknown = try await Self.post(mock.url + "/nope", headers: [], body: "{}")
        #expect(unknown.0 == 404)
        let (exit, log, _) = mock.stop()
        #expect(exit == 0)
        let lines = log.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.map { $0["verdict"] as? String ?? "" } == ["valid", "mismatch", "expired", "missing", "mismatch", "content-type", "valid", "unknown"])
        #expect(lines.map { $0["code"] as? String } == ["0", "1003", "1004", "1001", "1003", "1003", "0", nil])
        #expect((lines[4]["note"] as? String)?.contains("reproduced by: body minify") == true, "\(lines[4])")
        #expect((lines[5]["note"] as? String)?.contains("Content-Type 'application/x-www-form-urlencoded', expected application/json") == true, "\(lines[5])")
    }

    @Test func faultsOnDemand() async throws {
        let mock = try MockProcess(["nxlink", "--expire", "--latency", "150"], harness: h)
        let body = "{}"
        let started = Date()
        let answer = try await Self.post(mock.url + "/openapi/aiagent/call/list", headers: Self.nxlinkHeaders(body: body, ts: Self.nowMilliseconds), body: body)
        #expect(answer.1["code"] as? Int == 1004)
        #expect(Date().timeIntervalSince(started) >= 0.15)
        _ = mock.stop()
        let failing = try MockProcess(["nxlink", "--fail-rate", "1"], harness: h)
        #expect(try await Self.post(failing.url + "/openapi/aiagent/call/list", headers: Self.nxlinkHeaders(body: body, ts: Self.nowMilliseconds), body: body).0 == 503)
        _ = failing.stop()
    }

    @Test func slowClientsAreClosedAndConcurrencyIsBounded() async throws {
        // A client that connects and sends nothing is closed after --idle-timeout.
        let listener = try MockProcess(["--idle-timeout", "1"], harness: h, command: "listen")
        let port = UInt16(listener.url.split(separator: ":").last!)!
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: in_port_t(port.bigEndian),
                                  sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(connected == 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let started = Date()
        var byte: UInt8 = 0
        let n = Glibc.read(fd, &byte, 1)
        close(fd)
        #expect(n == 0, "the server closed the idle connection")
        #expect(Date().timeIntervalSince(started) < 4)
        _ = listener.stop()

        // One request at a time: of six sent together to slow answers, one is answered and the
        // ones that arrive while it is in progress get 503 (however slow this machine is).
        let mock = try MockProcess(["nxlink", "--latency", "1500", "--max-concurrent", "1"], harness: h)
        let body = "{}"
        let url = mock.url + "/openapi/aiagent/call/list"
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<6 {
                group.addTask { try await Self.post(url, headers: Self.nxlinkHeaders(body: body, ts: Self.nowMilliseconds), body: body).0 }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.contains(200), "\(statuses)")
        #expect(statuses.contains(503), "\(statuses)")
        #expect(statuses.allSatisfy { $0 == 200 || $0 == 503 }, "\(statuses)")
        _ = mock.stop()
    }

    /// `send` against `mock` for every vendor, in one script: the mock in the background.
    @Test func sendAgainstMockForEveryVendor() throws {
        // Each mock picks a free port and the script reads its URL from the result.
        let script = try h.write("all.cs", """
        let m0 = mock nxlink --background --port 0
        let m1 = mock nxcloud-callbot --background --port 0
        let m2 = mock itniotech --background --port 0
        let m3 = mock alibaba-aiccs --background --port 0
        send nxlink call/list --base-url $m0.url --cred accessKey=fme2na3kdi3ki --cred accessSecret=abciiiko2k3 --all --json '{"taskId":"t1","pageSize":10}'
        send nxcloud-callbot listOrderDetail --base-url $m1.url --cred uuid=Vh71ym3yQwWSYZFpqkFwTskGXUbSxDtR --cred secretKey=u7Mf3zUNOkg4lMV9a0E6cHSgIkK22GSr --json '{"orderIds":["o1"]}'
        send itniotech recordQuery --base-url $m2.url --cred apiKey=bDqJFiq9 --cred apiSecret=7bz1lzh9 --json '{"current":1,"size":5,"params":{}}'
        send alibaba-aiccs QueryAiCallTaskPage --base-url $m3.url --cred accessKeyId=YourAccessKeyId --cred accessKeySecret=YourAccessKeySecret --json '{}'
        mock stop
        """)
        let r = try h.run(["-f", script])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let documents = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        // 25 nxlink records over three pages, then its summary line.
        let summary = try #require(documents.first { $0["summary"] != nil }?["summary"] as? [String: Any])
        #expect(summary["records"] as? Int == 25)
        #expect(summary["pages"] as? Int == 3)
        #expect(r.stdout.contains("\"verdict\": \"valid\""), "callbot's signed response verifies")
        #expect(r.stdout.contains("\"status\": 200"))
    }
}

/// `trigger` against receivers the tests start.
@Suite struct TriggerTests {
    let h = Harness()

    @Test func retriesOnTheVendorsScheduleUntilAcknowledged() throws {
        let calls = Counter()
        let receiver = try LoopbackServer { _ in
            calls.increment() <= 2 ? .init(status: 503, body: "busy") : .init(body: #"{"code":0,"msg":"ok"}"#)
        }
        defer { receiver.stop() }
        // Alibaba documents retries after 1, 5 and 10 minutes; 600 times faster is 0.1 s, then 0.4 s.
        let r = try h.run(["trigger", "alibaba-aiccs", "AlicomAgentCallReport", "--to", receiver.baseURL + "/hook", "--speed", "600", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let attempts = try #require(doc["attempts"] as? [[String: Any]])
        #expect(attempts.map { $0["status"] as? Int } == [503, 503, 200])
        #expect(attempts.map { $0["acknowledged"] as? Bool } == [false, false, true])
        #expect(doc["delivered"] as? Bool == true)
        let got = try #require(receiver.requests.last)
        #expect(got.header("Content-Type") == "application/json")
        let sample = try String(contentsOfFile: InspectCommandTests.root + "/plugins/alibaba-aiccs/fixtures/call-report-bare-object-chinese.json", encoding: .utf8)
        #expect(got.text == sample, "the plugin's first sample of that payload, byte for byte")
    }

    @Test func aWrongAcknowledgementIsNotDeliveredAndUndocumentedSchedulesNeedRetries() throws {
        let receiver = try LoopbackServer { _ in .init(body: #"{"code":7}"#) }
        defer { receiver.stop() }
        let r = try h.run(["--color", "never", "trigger", "nxlink", "call record", "--to", receiver.baseURL + "/cb", "--retries", "1", "--every", "1", "--speed", "20"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("✗ code is 7, expected 0"))
        #expect(r.stdout.hasSuffix("not acknowledged after 2 attempts\n"))
        #expect(receiver.requests.count == 2)
        let once = try h.run(["--color", "never", "trigger", "itniotech", "--to", receiver.baseURL + "/push"])
        #expect(once.stdout.contains("no retries: the vendor's schedule is not documented (--retries N --every S)"))
        #expect(once.status == 0, "itniotech's acknowledgement is not documented: any 2xx counts")
    }

    /// Callbot signs its pushes: what the receiver gets verifies with `verify`.
    @Test func signedPushesVerify() throws {
        let receiver = try LoopbackServer { _ in .init(body: "{}") }
        defer { receiver.stop() }
        let creds = ["--cred", "uuid=Vh71ym3yQwWSYZFpqkFwTskGXUbSxDtR", "--cred", "secretKey=u7Mf3zUNOkg4lMV9a0E6cHSgIkK22GSr"]
        let r = try h.run(["trigger", "nxcloud-callbot", "call", "--to", receiver.baseURL + "/cb"] + creds)
        #expect(r.status == 0, "\(r.stderr)")
        let got = try #require(receiver.requests.first)
        let raw = "POST /cb HTTP/1.1\r\n" + got.headers.map { "\($0.name): \($0.value)\r\n" }.joined() + "\r\n" + got.text
        let verdict = try h.run(["verify", "-", "--cred", "secretKey=u7Mf3zUNOkg4lMV9a0E6cHSgIkK22GSr"], stdin: raw)
        #expect(verdict.status == 0, "\(verdict.stdout)")
        #expect(verdict.stdout.contains("✓ valid"))
    }

    @Test func aBurstReportsPercentiles() throws {
        let receiver = try LoopbackServer { _ in .init(body: "{}") }
        defer { receiver.stop() }
        let r = try h.run(["trigger", "itniotech", "--to", receiver.baseURL + "/push", "--count", "40", "--concurrency", "4", "--json"])
        #expect(r.status == 0)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(doc["sent"] as? Int == 40)
        #expect(doc["acknowledged"] as? Int == 40)
        #expect(Set((doc["latency_ms"] as? [String: Double] ?? [:]).keys) == ["p50", "p90", "p99", "max"])
        #expect(receiver.requests.count == 40)
    }

    /// A burst at a listener running in the same session: the burst's blocked workers must not
    /// hold up the listener's handlers (they once waited on a shared thread pool for seconds).
    @Test func aBurstAtAListenerInTheSameSessionIsNotHeldUp() throws {
        let r = try MockTests.triggerAtBackgroundListener(h, "nxlink --count 16 --concurrency 8 --json")
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex(of: "{"))
        let end = try #require(lines.lastIndex(of: "}"))
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(lines[start...end].joined(separator: "\n").utf8)) as? [String: Any])
        #expect(doc["acknowledged"] as? Int == 16)
        let slowest = try #require((doc["latency_ms"] as? [String: Double])?["max"])
        // Held up, the first deliveries took 1–7 s; on loopback each takes milliseconds.
        #expect(slowest < 900, "slowest delivery \(slowest) ms")
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}
