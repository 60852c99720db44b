import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import Testing
import TestSupport

/// `listen`, `captures` and `replay` through the built binary: deliveries from an independent
/// client, signed with the test's own implementation of NXLink's recipe.
@Suite(.serialized) struct ListenTests {
    let h = Harness()
    static let callback = try! String(contentsOfFile: InspectCommandTests.root + "/plugins/nxlink/fixtures/callback-seed.json", encoding: .utf8)

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func capturesVerifiesListsShowsAndReplays() async throws {
        let listener = try MockTests.MockProcess(["--vendor", "nxlink", "--cred", "accessSecret=abciiiko2k3", "--json"], harness: h, command: "listen")
        let ts = MockTests.nowMilliseconds
        let good = try await MockTests.post(listener.url + "/hook", headers: MockTests.nxlinkHeaders(body: Self.callback, ts: ts), body: Self.callback)
        #expect(good.0 == 200)
        #expect(good.1["code"] as? Int == 0, "NXLink's documented acknowledgement")
        // Signed minified, delivered pretty: captured, shown as a mismatch with the reason.
        let pretty = "{\n  \"callId\": \"c-2\",\n  \"callResult\": 17\n}"
        _ = try await MockTests.post(listener.url + "/hook", headers: MockTests.nxlinkHeaders(body: #"{"callId":"c-2","callResult":17}"#, ts: ts), body: pretty)
        let malformed = try await MockTests.post(listener.url + "/hook", headers: [("Content-Type", "application/json")], body: "{broken")
        #expect(malformed.0 == 400)
        let big = try await MockTests.post(listener.url + "/hook", headers: [], body: String(repeating: "x", count: 9 << 20))
        #expect(big.0 == 413)
        let (exit, log, output) = listener.stop()
        #expect(exit == 0)
        // One-shot, the deliveries are the command's data (stdout); the log says what it does.
        #expect(log.contains("listening on \(listener.url)") && log.contains("stopped listening") && !log.contains("\"verdict\""), "\(log)")
        let lines = output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.map { $0["verdict"] as? String } == ["valid", "mismatch", nil])
        #expect(lines.map { $0["status"] as? Int } == [200, 200, 400])

        let list = try json(try h.run(["captures", "--json"]).stdout)
        let captures = try #require(list["captures"] as? [[String: Any]])
        #expect(captures.map { $0["id"] as? Int } == [1, 2, 3])
        #expect(captures.map { $0["vendor"] as? String } == ["nxlink", "nxlink", nil])
        #expect(captures[0]["summary"] as? String
                == "nxlink · callRecordCallback · fe90a9af-e14c-4330-8faa-2631e761124a · 17 Normal end – user hung up · 2 min 17 s")
        // The peer: the loopback address and the client's port.
        for peer in captures.map({ $0["peer"] as? String ?? "" }) {
            let parts = peer.split(separator: ":")
            #expect(parts.count == 2 && parts[0] == "127.0.0.1" && (Int(parts[1]).map { (1...65535).contains($0) } ?? false)
                    && !parts[1].hasPrefix("0"), "\(peer)")
        }
        let show = try h.run(["--color", "never", "captures", "show", "2", "--cred", "accessSecret=abciiiko2k3"])
        #expect(show.stdout.contains("✗ mismatch"))
        #expect(show.stdout.contains("body minify: the sender signed the body minified"))
        #expect(try h.run(["verify", "@capture:1", "--cred", "accessSecret=abciiiko2k3", "--now", ts]).status == 0)

        // Replay: byte for byte, then re-signed with a fresh timestamp.
        let receiver = try LoopbackServer { _ in .init(body: #"{"code":0}"#) }
        defer { receiver.stop() }
        let replay = try h.run(["replay", "1", "--to", receiver.baseURL + "/again"])
        #expect(replay.status == 0, "\(replay.stderr)")
        let first = try #require(receiver.requests.first)
        #expect(first.text == Self.callback)
        #expect(first.header("sign") == MockTests.nxlinkHeaders(body: Self.callback, ts: ts).first { $0.0 == "sign" }?.1)
        let resigned = try h.run(["replay", "1", "--to", receiver.baseURL + "/again", "--resign", "--cred", "accessKey=fme2na3kdi3ki", "--cred", "accessSecret=abciiiko2k3"])
        #expect(resigned.status == 0, "\(resigned.stderr)")
        let second = try #require(receiver.requests.last)
        #expect(second.header("ts") != ts)
        #expect(second.header("sign") == MockTests.nxlinkHeaders(body: Self.callback, ts: second.header("ts") ?? "").first { $0.0 == "sign" }?.1)
        #expect(second.text == Self.callback)

        let export = try h.run(["captures", "export", "--format", "http"])
        #expect(export.stdout.hasPrefix("POST /hook HTTP/1.1\r\n"))
        #expect(try h.run(["captures", "delete", "--all", "--json"]).stdout.contains("\"deleted\": 3"))
    }

    /// A port another server holds: one line saying so in plain words, exit 69 (unavailable).
    @Test func aTakenPortIsOneClearLine() throws {
        let holder = try LoopbackServer { _ in .init(body: "{}") }
        defer { holder.stop() }
        for command in [["listen"], ["mock", "nxlink"]] {
            let result = try h.run(command + ["--port", String(holder.port)])
            #expect(result.status == 69)
            #expect(result.stderr == "error: cannot listen on 127.0.0.1:\(holder.port): Address already in use\n", "\(result.stderr)")
        }
    }

    /// `captures delete`: one capture, then one that is not there (a negative answer, as `show`
    /// gives), then all; one-shot, with and without --json.
    @Test func capturesAreDeletedOneOrAll() throws {
        let fill = try MockTests.triggerAtBackgroundListener(h, "nxlink --count 3")
        #expect(fill.status == 0, "\(fill.stderr)")
        let one = try h.run(["captures", "delete", "2", "--json"])
        #expect(one.status == 0 && one.stdout == "{\n  \"deleted\": 1\n}\n", "\(one.stdout)\(one.stderr)")
        let again = try h.run(["captures", "delete", "2"])
        #expect(again.status == 1 && again.stdout.isEmpty)
        #expect(again.stderr == "error: no capture 2\nhint: see 'captures list'\n", "\(again.stderr)")
        let all = try h.run(["captures", "delete", "--all"])
        #expect(all.status == 0 && all.stdout == "deleted 2 captures\n", "\(all.stdout)\(all.stderr)")
        let left = try h.run(["captures", "--json"])
        #expect(left.stdout == "{\n  \"captures\": []\n}\n", "\(left.stdout)")
    }

    /// Every delivery the client saw acknowledged survives a kill -9 of the listener mid-burst.
    @Test func nothingAcknowledgedIsLostToKill9() async throws {
        let port = try MockTests.freePort()
        let listener = try MockTests.MockProcess(["--quiet"], harness: h, command: "listen", port: port)
        let acknowledged = Acknowledged()
        let url = listener.url + "/hook"
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<300 {
                group.addTask {
                    let body = #"{"callId":"burst-\#(i)","callResult":17}"#
                    if let answer = try? await MockTests.post(url, headers: [("Content-Type", "application/json")], body: body), answer.0 == 200 {
                        acknowledged.add("burst-\(i)")
                    }
                }
            }
            // Once some deliveries are acknowledged (at most 10 s), kill -9 while the rest are in flight.
            group.addTask {
                for _ in 0..<1000 where acknowledged.all.count < 30 { try await Task.sleep(for: .milliseconds(10)) }
                listener.kill9()
            }
            try await group.waitForAll()
        }
        let seen = acknowledged.all
        #expect(!seen.isEmpty)
        let export = try h.run(["captures", "export"])
        #expect(export.status == 0, "\(export.stderr)")
        let stored = Set(export.stdout.split(separator: "\n").compactMap { line -> String? in
            guard let doc = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let body = doc["body"] as? String else { return nil }
            return (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["callId"] as? String
        })
        let lost = seen.filter { !stored.contains($0) }
        #expect(lost.isEmpty, "acknowledged but not stored: \(lost)")
        // A restarted listener opens the same store and goes on.
        let again = try MockTests.MockProcess(["--quiet"], harness: h, command: "listen", port: port)
        // A fresh client: the shared one holds connections to the killed process.
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let status = (try? await MockTests.post(url, headers: [], body: #"{"callId":"after"}"#, client: client))?.0
        try await client.shutdown()
        #expect(status == 200)
        _ = again.stop()
    }
}

final class Acknowledged: Sendable {
    private let ids = Mutex<[String]>([])
    func add(_ id: String) { ids.withLock { $0.append(id) } }
    var all: [String] { ids.withLock { $0 } }
}
