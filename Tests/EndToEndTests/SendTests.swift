import Foundation
import Testing
import TestSupport

/// `send` through the built binary against servers the tests start on 127.0.0.1.
@Suite struct SendTests {
    let h = Harness()
    static let record = try! String(contentsOfFile: InspectCommandTests.root + "/plugins/nxlink/fixtures/call-list-record-seed.json", encoding: .utf8)
    static let nxlinkCreds = ["--cred", "accessKey=AK-1", "--cred", "accessSecret=env:NX_TEST_SECRET"]

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func page(_ records: Int, total: Int) -> String {
        #"{"code":0,"message":"success","data":{"total":\#(total),"list":[\#(Array(repeating: record, count: records).joined(separator: ","))]}}"#
    }

    @Test func sendsExactlyWhatSignSignsAndDecodesTheAnswer() throws {
        let server = try LoopbackServer { _ in .init(body: SendTests.page(1, total: 1)) }
        defer { server.stop() }
        let body = #"{"taskId":"t1","pageNumber":1,"pageSize":10}"#
        let r = try h.run(["send", "nxlink", "call/list", body, "--ts", "1700000000000", "--base-url", server.baseURL, "--json"] + Self.nxlinkCreds)
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try json(r.stdout)
        #expect(doc["status"] as? Int == 200)
        #expect((doc["records"] as? [Any])?.count == 1)
        #expect(doc["error"] == nil)
        let timing = try #require(doc["timing"] as? [String: Double])
        #expect(Set(timing.keys) == ["connect_ms", "first_byte_ms", "total_ms"])
        #expect(timing["total_ms"]! >= timing["first_byte_ms"]!)
        // The server got the signed bytes: same body, same signature as `sign` computes.
        let got = try #require(server.requests.first)
        #expect(got.method == "POST")
        #expect(got.uri == "/openapi/aiagent/call/list")
        #expect(got.text == body)
        let signed = try json(try h.run(["sign", "nxlink", "call/list", body, "--ts", "1700000000000", "--json"] + Self.nxlinkCreds).stdout)
        #expect(got.header("sign") == signed["signature"] as? String)
        #expect(got.header("ts") == "1700000000000")
        #expect(!r.stdout.contains("s3cret-value"))
    }

    @Test func aVendorErrorIsExplainedWithTheNextStepAndExits1() throws {
        let server = try LoopbackServer { _ in .init(body: #"{"code":1003,"message":"sign error"}"#) }
        defer { server.stop() }
        let r = try h.run(["--color", "never", "send", "nxlink", "call/list", #"{"taskId":"t1"}"#, "--base-url", server.baseURL] + Self.nxlinkCreds)
        #expect(r.status == 1)
        #expect(r.stdout.contains("✗ nxlink error 1003 — invalid signature\n  the vendor says: sign error\n  next: usual causes:"))
        let j = try json(try h.run(["send", "nxlink", "call/list", #"{"taskId":"t1"}"#, "--base-url", server.baseURL, "--json"] + Self.nxlinkCreds).stdout)
        let error = try #require(j["error"] as? [String: Any])
        #expect(error["code"] as? String == "1003")
        #expect(error["meaning"] as? String == "invalid signature")
    }

    @Test func allFollowsThePagingUntilEveryRecordIsIn() throws {
        let server = try LoopbackServer { request in
            let page = (try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])?["pageNumber"] as? Int ?? 0
            return .init(body: SendTests.page(page < 3 ? 2 : 1, total: 5))
        }
        defer { server.stop() }
        let r = try h.run(["send", "nxlink", "call/list", #"{"taskId":"t1","pageSize":2}"#, "--all", "--json", "--base-url", server.baseURL] + Self.nxlinkCreds)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 6, "5 records, then the summary")
        let summary = try #require(try json(String(lines.last!))["summary"] as? [String: Any])
        #expect(summary["records"] as? Int == 5)
        #expect(summary["pages"] as? Int == 3)
        #expect(server.requests.map { (try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any])?["pageNumber"] as? Int } == [1, 2, 3])
        #expect(server.requests.allSatisfy { $0.header("sign") != nil })
    }

    @Test func noAnswerIsOneLineAndExit69() throws {
        // A port that was just closed refuses connections.
        let closed = try LoopbackServer { _ in .init(body: "{}") }
        let url = closed.baseURL
        closed.stop()
        let body = #"{"taskId":"t1","pageNumber":1,"pageSize":10}"#
        let refused = try h.run(["send", "nxlink", "call/list", body, "--base-url", url] + Self.nxlinkCreds)
        #expect(refused.status == 69)
        #expect(refused.stderr == "error: POST \(url)/openapi/aiagent/call/list: connection refused by 127.0.0.1 (is the server running?)\n")
        let slow = try LoopbackServer { _ in usleep(1_500_000); return .init(body: "{}") }
        defer { slow.stop() }
        let timedOut = try h.run(["send", "nxlink", "call/list", body, "--base-url", slow.baseURL, "--timeout", "0.3"] + Self.nxlinkCreds)
        #expect(timedOut.status == 69)
        #expect(timedOut.stderr.contains("no answer from 127.0.0.1 within 0.3 s (--timeout to wait longer)"))
    }

    @Test func dryRunAndCurlShowTheRequestWithoutSecrets() throws {
        let dry = try h.run(["send", "nxlink", "call/list", #"{"taskId":"t1"}"#, "--ts", "1700000000000", "--dry-run", "--base-url", "http://127.0.0.1:9"] + Self.nxlinkCreds)
        #expect(dry.status == 0)
        #expect(dry.stdout.hasPrefix("POST http://127.0.0.1:9/openapi/aiagent/call/list\n"))
        #expect(dry.stdout.contains("ts            1700000000000"))
        let curl = try h.run(["send", "nxlink", "call/list", #"{"taskId":"t1"}"#, "--curl", "--base-url", "http://127.0.0.1:9"] + Self.nxlinkCreds)
        #expect(curl.stdout.hasPrefix("curl -X POST 'http://127.0.0.1:9/openapi/aiagent/call/list' -H "))
        for output in [dry.stdout, curl.stdout] { #expect(!output.contains("s3cret-value")) }
    }

    /// Callbot signs its responses: the verdict is shown.
    @Test func aSignedResponseIsVerified() throws {
        let creds = ["--cred", "uuid=Vh71ym3yQwWSYZFpqkFwTskGXUbSxDtR", "--cred", "secretKey=u7Mf3zUNOkg4lMV9a0E6cHSgIkK22GSr"]
        let answer = #"{"retCode":0,"retMsg":"success"}"#
        let signed = try json(try h.run(["sign", "nxcloud-callbot", answer, "--ts", "1700000000", "--request-id", "resp-1", "--json"] + creds).stdout)
        let headers = try #require(signed["headers"] as? [String: String])
        let server = try LoopbackServer { _ in .init(headers: [("Content-Type", "application/json")] + headers.map { ($0.key, $0.value) }, body: answer) }
        defer { server.stop() }
        let r = try h.run(["send", "nxcloud-callbot", "--path", "/v3/task/query", "{}", "--base-url", server.baseURL, "--json"] + creds)
        let doc = try json(r.stdout)
        let verdict = try #require(doc["responseSignature"] as? [String: Any])
        #expect(verdict["verdict"] as? String == "valid", "\(r.stdout)")
    }
}

/// Profiles from config.toml: vendor, base URL and credentials for send, sign and use.
@Suite struct ProfileTests {
    let h = Harness()

    func writeConfig(_ text: String, mode: mode_t = 0o600) throws {
        let dir = h.home.appendingPathComponent("config/callscope")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("config.toml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, mode)
    }

    @Test func sendAndUseTakeVendorBaseURLAndCredentialsFromAProfile() throws {
        let server = try LoopbackServer { _ in .init(body: #"{"code":0,"message":"success","data":{"total":0,"list":[]}}"#) }
        defer { server.stop() }
        try writeConfig("""
        [profile.staging]
        vendor = "nxlink"
        base_url = "\(server.baseURL)"
        accessKey = "AK-profile"
        accessSecret = "env:CALLSCOPE_TEST_SECRET"
        """)
        let env = ["CALLSCOPE_TEST_SECRET": "profile-secret-1"]
        let r = try h.run(["send", "--profile", "staging", "call/list", #"{"taskId":"t1"}"#, "--ts", "1700000000000", "--json"], extraEnvironment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "warning: call/list: required fields pageNumber, pageSize missing from the body\n")
        let got = try #require(server.requests.first)
        #expect(got.header("accessKey") == "AK-profile")
        let expected = try h.run(["sign", "nxlink", "call/list", #"{"taskId":"t1"}"#, "--ts", "1700000000000", "--cred", "accessKey=AK-profile",
                                  "--cred", "accessSecret=profile-secret-1", "--json"])
        #expect(expected.stdout.contains("\"signature\": \"\(got.header("sign") ?? "none")\""))
        let session = try h.run(["-c", "use staging", "-c", #"send call/list '{"taskId":"t2"}'"#], extraEnvironment: env)
        #expect(session.status == 0, "\(session.stderr)")
        #expect(session.stdout.hasPrefix("using profile staging — nxlink at \(server.baseURL)\n"))
        #expect(server.requests.count == 2)
        #expect(!(r.stdout + session.stdout).contains("profile-secret-1"))
    }

    @Test func aPlainSecretInAFileOthersCanReadIsAWarning() throws {
        try writeConfig("[profile.leaky]\nvendor = \"nxlink\"\naccessKey = \"AK\"\naccessSecret = \"plain-secret\"\n", mode: 0o644)
        let r = try h.run(["sign", "--profile", "leaky", "call/list", "{}"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("holds profile.leaky.accessSecret as plain text and others can read the file: chmod 600 it, or use env:VAR / file:PATH"))
        #expect(!r.stdout.contains("plain-secret"))
        try writeConfig("[profile.leaky]\nvendor = \"nxlink\"\naccessKey = \"AK\"\naccessSecret = \"plain-secret\"\n", mode: 0o600)
        #expect(try h.run(["sign", "--profile", "leaky", "call/list", #"{"taskId":"t1","pageNumber":1,"pageSize":10}"#]).stderr.isEmpty)
    }

    @Test func aBrokenConfigIsOneLineWithThePositionAndExit78() throws {
        try writeConfig("[profile.x]\nvendor = \"nxlink\"\naccessKey = \n")
        let r = try h.run(["send", "--profile", "x", "call/list", "{}"])
        #expect(r.status == 78)
        #expect(r.stderr.hasSuffix("config.toml: Invalid value (at line 3, column 13)\n"), "\(r.stderr)")
        try writeConfig("[profile.x]\nvendor = \"nope\"\n")
        let unknown = try h.run(["send", "--profile", "x", "call/list", "{}"])
        #expect(unknown.status == 78)
        #expect(unknown.stderr.contains("profile.x: no adapter 'nope'"))
        try writeConfig("[profile.x]\nvendor = \"nxlink\"\n")
        let missing = try h.run(["send", "--profile", "other", "call/list", "{}"])
        #expect(missing.status == 78)
        #expect(missing.stderr.contains("no profile 'other' in "))
        #expect(missing.stderr.contains("hint: profiles: x"))
    }
}

/// Endless input never exhausts memory: a document is capped, and so is a line of a stream.
@Suite struct EndlessInputTests {
    let h = Harness()

    @Test func anEndlessDocumentIsRefusedWithTheCap() throws {
        let r = try h.run(["decode", "@/dev/zero"])
        #expect(r.status == 65)
        #expect(r.stderr.hasPrefix("error: /dev/zero is larger than 256 MiB: too large for one document\n"))
    }
}
