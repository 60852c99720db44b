import Foundation
import Testing

/// explain, codes, sign, decode and verify through the built binary.
@Suite struct InspectCommandTests {
    let h = Harness()
    static var root: String {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }
    func fixture(_ path: String) -> String { "@" + Self.root + "/plugins/" + path }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    // MARK: explain

    @Test func explainSearchesEveryAdapterAndTable() throws {
        let r = try h.run(["explain", "17", "--json"])
        #expect(r.status == 0)
        let matches = try json(r.stdout)["matches"] as? [[String: Any]] ?? []
        let keys = Set(matches.map { "\($0["vendor"]!)/\($0["table"]!)" })
        #expect(keys.isSuperset(of: ["nxlink/callResult", "nxlink/callStatus", "nxcloud-callbot/callStatus", "telephony/hangupCause"]))
        #expect(matches.allSatisfy { $0["code"] as? String == "17" && $0["meaning"] is String })
    }

    @Test func explainNarrowsByVendorTableAndVendorInUse() throws {
        let named = try h.run(["explain", "nxlink", "callResult", "17"])
        #expect(named.stdout.contains("Normal end – user hung up"))
        #expect(!named.stdout.contains("callStatus"))
        let inUse = try h.run(["-c", "use nxlink", "-c", "explain callResult 17 --json"])
        let matches = try json(String(inUse.stdout.drop { $0 != "{" }))["matches"] as? [[String: Any]] ?? []
        #expect(matches.count == 1)
        #expect(matches.first?["vendor"] as? String == "nxlink")
    }

    @Test func explainNamesSipCodesAndHints() throws {
        #expect(try h.run(["explain", "NORMAL_CLEARING"]).stdout.contains("normal hang-up by a party"))
        let sip = try h.run(["explain", "sip", "486"])
        #expect(sip.stdout.contains("Busy Here"))
        #expect(sip.stdout.contains("fs_cause: USER_BUSY"))
        let error = try h.run(["explain", "1003", "--json"])
        let match = (try json(error.stdout)["matches"] as? [[String: Any]])?.first
        #expect((match?["hint"] as? String)?.contains("sign nxlink --explain") == true)
        let text = try h.run(["explain", "busy"])
        #expect(text.stdout.contains("USER_BUSY") && text.stdout.contains("User busy"))
    }

    @Test func explainUnknownIsNotFoundWithNearest() throws {
        let r = try h.run(["explain", "nxlink", "callResult", "5"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("5 not found in nxlink callResult"))
        #expect(r.stderr.contains("nxlink callResult 6"))
    }

    @Test func explainPicksTheTableByEndpointFamily() throws {
        let r = try h.run(["explain", "itniotech", "-4", "--operation", "taskList", "--json"])
        let matches = try json(r.stdout)["matches"] as? [[String: Any]] ?? []
        #expect(matches.map { $0["table"] as? String } == ["aivoiceStatus"])
        #expect(matches.first?["family"] as? String == "aivoice")
    }

    @Test func codesListsTables() throws {
        let r = try h.run(["codes", "nxlink", "callResult", "--json"])
        #expect((try json(r.stdout)["codes"] as? [Any])?.count == 19)
        let bad = try h.run(["codes", "nxlink", "callResul"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("did you mean 'callResult'"))
    }

    // MARK: sign

    @Test func signReproducesThePublishedVectorWithoutShowingTheSecret() throws {
        let r = try h.run(["sign", "nxlink", #"{"name":"牛小信","id":10001}"#, "--ts", "1655710885431", "--pin", "bizType=1", "--pin", "action=send",
                           "--cred", "accessKey=fme2na3kdi3ki", "--cred", "accessSecret=env:NX_TEST_SECRET", "--json", "--explain"],
                          extraEnvironment: ["NX_TEST_SECRET": "abciiiko2k3"])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try json(r.stdout)
        #expect(doc["signature"] as? String == "87c3560d3331ae23f1021e2025722354")
        #expect((doc["headers"] as? [String: String])?["sign"] == "87c3560d3331ae23f1021e2025722354")
        let steps = doc["steps"] as? [[String: Any]] ?? []
        #expect(steps.contains { ($0["value"] as? String)?.hasSuffix("&accessSecret=‹accessSecret›") == true && $0["bytes"] as? Int == 124 })
        #expect(!r.stdout.contains("abciiiko2k3"))
        #expect((doc["curl"] as? String)?.contains("-H 'sign: 87c3560d3331ae23f1021e2025722354'") == true)
    }

    @Test func signAlibabaV3AndItniotech() throws {
        let v3 = try h.run(["sign", "alibaba-aiccs", "--method", "POST", "--pin", "host=ecs.cn-shanghai.aliyuncs.com", "--pin", "action=RunInstances",
                            "--pin", "version=2014-05-26", "--date", "2023-10-26T10:22:32Z", "--nonce", "3156853299f313e23d1673dc12e1703d",
                            "--query", "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", "--query", "RegionId=cn-shanghai",
                            "--cred", "accessKeyId=YourAccessKeyId", "--cred", "accessKeySecret=YourAccessKeySecret", "--json"])
        #expect(try json(v3.stdout)["signature"] as? String == "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0")
        let itn = try h.run(["sign", "itniotech", "--ts", "1630468800", "--cred", "apiKey=bDqJFiq9", "--cred", "apiSecret=7bz1lzh9",
                             "--explain", "--hex"])
        #expect(itn.stdout.contains("05d7a50893e22a5c4bb3216ae3396c7c"))
        // The secret's bytes are hidden in the hex dump too.
        #expect(itn.stdout.contains("62 44 71 4a 46 69 71 39 ** ** ** ** ** ** ** ** 31 36 33 30"), "\(itn.stdout)")
        #expect(!itn.stdout.contains("37 62 7a 31 6c 7a 68 39"))
    }

    @Test func signNeedsItsCredentials() throws {
        let r = try h.run(["sign", "itniotech", "--cred", "apiKey=k"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("missing credential apiSecret for itniotech"))
        let bad = try h.run(["sign", "itniotech", "--cred", "apiKey=k", "--cred", "apiSecret=env:NOT_SET_ANYWHERE"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("NOT_SET_ANYWHERE is not set"))
        let noVendor = try h.run(["sign"])
        #expect(noVendor.status == 64)
    }

    // MARK: decode

    @Test func decodeFixtureAsJSONFollowsTheContract() throws {
        let r = try h.run(["decode", fixture("nxlink/fixtures/callback-seed.json"), "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let record = (try json(r.stdout)["records"] as? [[String: Any]])?.first
        #expect(record?["vendor"] as? String == "nxlink")
        #expect(record?["kind"] as? String == "callRecordCallback")
        let fields = record?["fields"] as? [[String: Any]] ?? []
        #expect(fields.contains { $0["path"] as? String == "callResult" && ($0["meaning"] as? String)?.hasPrefix("Normal end – user hung up") == true })
        #expect((record?["warnings"] as? [Any])?.isEmpty == true)
    }

    @Test func decodeShowsTranscriptTimelineAndWarnings() throws {
        let r = try h.run(["decode", fixture("nxcloud-callbot/fixtures/call-callback-transferred-to-agent.json")])
        #expect(r.stdout.contains("Transcript"))
        #expect(r.stdout.contains("您好，我是人工客服 Alice。"))
        #expect(r.stdout.contains("originate 17:00:00 ──6 s──▶ answer 17:00:06"))
        let big = try h.run(["decode", fixture("itniotech/fixtures/push-large-task-id.json")])
        #expect(big.status == 1)
        #expect(big.stdout.contains("unsafe-integer"))
    }

    @Test func decodeSyntaxErrorPointsAtTheSpot() throws {
        let r = try h.run(["decode", "-"], stdin: "{\n  \"callId\": \"x\",\n  \"callResult\": 17,,\n}")
        #expect(r.status == 65)
        #expect(r.stderr.contains("is not valid JSON: expected a member name in double quotes, found ',' at line 3, column 20"))
        #expect(r.stderr.contains("  \"callResult\": 17,,\n                     ^"))
        let empty = try h.run(["decode", "-"], stdin: "  \n")
        #expect(empty.status == 65)
        let truncated = try h.run(["decode", "-"], stdin: "{\"callId\": \"x\", \"callResult\": 1")
        #expect(truncated.status == 65)
        #expect(truncated.stderr.contains("truncated"))
    }

    @Test func decodeRawHTTPAndCurl() throws {
        let request = "POST /callback HTTP/1.1\r\nHost: example.com\r\nContent-Type: application/json\r\n\r\n"
            + (try String(contentsOfFile: Self.root + "/plugins/alibaba-aiccs/fixtures/call-report-seed.json", encoding: .utf8))
        let r = try h.run(["decode", "-"], stdin: request)
        #expect(r.stdout.contains("POST /callback"))
        #expect(r.stdout.contains("alibaba-aiccs · AlicomAgentCallReport"))
        let curl = try h.run(["decode", "-", "--json"], stdin: #"curl -X POST https://x/cb -H 'Content-Type: application/json' -d '{"callbackType":1,"taskStat":{},"taskStatus":3}'"#)
        let doc = try json(curl.stdout)
        #expect(((doc["records"] as? [[String: Any]])?.first?["kind"]) as? String == "taskCallback")
        #expect((doc["message"] as? [String: Any])?["method"] as? String == "POST")
    }

    @Test func decodeStreamsNDJSONWithASummary() throws {
        let r = try h.run(["decode", fixture("nxlink/fixtures/callbacks-batch.ndjson"), "--json"])
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 6)
        let summary = try json(String(lines.last!))["summary"] as? [String: Any]
        #expect(summary?["records"] as? Int == 5)
        #expect(summary?["answerRate"] as? Double == 0.6)
        let human = try h.run(["decode", fixture("nxlink/fixtures/callbacks-batch.ndjson")])
        #expect(human.stdout.contains("Summary: 5 records"))
        #expect(human.stdout.contains("answer rate  60.0% (3 of 5)"))
        #expect(human.stdout.contains("█"))
        let broken = try h.run(["decode", "-"], stdin: "{\"callId\":\"a\",\"autoFlowId\":1,\"callResult\":17,\"orderHead\":1,\"contactId\":\"c\"}\n{oops\n")
        #expect(broken.status == 65)
        #expect(broken.stdout.contains("unparsable"))
    }

    /// A long stream: the first rows are decoded one by one, the rest counted on every core straight
    /// from bytes; the summary must be the one of decoding every record through the value tree
    /// (--all), warnings, unparsable lines and line numbers included.
    @Test func aLongStreamIsSummarisedAsEveryRecordDecodedOneByOne() throws {
        var lines: [String] = []
        for vendor in ["nxlink/fixtures/callbacks-batch.ndjson", "nxcloud-callbot/fixtures/orders-batch.ndjson", "itniotech/fixtures/pushes-batch.ndjson"] {
            let text = try String(contentsOfFile: InspectCommandTests.root + "/plugins/" + vendor, encoding: .utf8)
            lines += text.split(separator: "\n").map(String.init)
        }
        var stream = ""
        for i in 0..<12 {
            for (j, line) in lines.enumerated() {
                // Some records get an unknown field or an unknown code; one line is broken.
                var l = line
                if (i + j) % 5 == 0 { l = "{\"extra\":\(i)," + l.dropFirst() }
                if (i + j) % 7 == 0 { l = l.replacingOccurrences(of: "\"callResult\":17", with: "\"callResult\":99") }
                stream += l + "\n"
            }
            if i == 6 { stream += "{oops\n" }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("long-\(getpid()).ndjson").path
        try stream.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let counted = try h.run(["decode", "@" + path])
        let every = try h.run(["decode", "@" + path, "--all"])
        #expect(counted.status == 65 && every.status == 65)
        func summary(_ text: String) -> String { String(text[text.range(of: "Summary:")!.lowerBound...]) }
        #expect(counted.stdout.contains("more records (--all prints each)"))
        #expect(summary(counted.stdout) == summary(every.stdout))
        #expect(summary(counted.stdout).contains("unknown-field"))
        #expect(summary(counted.stdout).contains("line \(7 * lines.count + 1)"))
    }

    @Test func decodeCanKeepOnlySomeFields() throws {
        let r = try h.run(["decode", fixture("nxlink/fixtures/callbacks-batch.ndjson"), "--json", "--field", "callResult", "--field", "attributes"])
        let first = try json(String(r.stdout.split(separator: "\n")[0]))
        let paths = (first["fields"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
        #expect(paths.first == "callResult")
        #expect(paths.dropFirst().allSatisfy { $0.hasPrefix("attributes[") })
        #expect(paths.count == 7)
    }

    @Test func decodeChecksTheSignatureWhenTheSessionKnowsTheSecret() throws {
        let body = try String(contentsOfFile: Self.root + "/plugins/itniotech/fixtures/push-unanswered.json", encoding: .utf8)
        let request = "POST /push HTTP/1.1\nApi-Key: bDqJFiq9\nTimestamp: 1630468800\nSign: 05d7a50893e22a5c4bb3216ae3396c7c\n\n" + body
        // The first command teaches the session the credentials; decode then verifies on its own.
        let r = try h.run([], stdin: "sign itniotech --ts 1 --cred apiKey=bDqJFiq9 --cred apiSecret=7bz1lzh9 --json\ndecode <<EOF\n" + request + "EOF\n")
        #expect(r.stdout.contains("✓ valid — the itniotech signature matches"), "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("itniotech · pushCallRecord"))
        let tampered = try h.run([], stdin: "sign itniotech --ts 1 --cred apiKey=bDqJFiq9 --cred apiSecret=7bz1lzh9 --json\ndecode --json <<EOF\n"
                                 + request.replacing("Sign: 05d7", with: "Sign: 15d7") + "EOF\n")
        #expect(tampered.status == 1)
        #expect(tampered.stdout.contains("\"verdict\": \"mismatch\""))
        let unknown = try h.run(["decode", "-"], stdin: request)
        #expect(!unknown.stdout.contains("valid"), "without the secret, decode does not judge the signature")
    }

    @Test func decodePasteInTheShellAndHeredocInScripts() throws {
        let body = try String(contentsOfFile: Self.root + "/plugins/nxlink/fixtures/callback-unanswered.json", encoding: .utf8)
        let r = try h.run([], stdin: "decode --json <<EOF\n" + body + "EOF\nexplain 1004\n")
        #expect(r.stdout.contains("\"callRecordCallback\""))
        #expect(r.stdout.contains("timestamp expired"), "the session carried on after the decode")
    }

    // MARK: verify

    static let validRequest = "POST /openapi/aiagent/call/list HTTP/1.1\r\nContent-Type: application/json\r\naccessKey: fme2na3kdi3ki\r\nts: 1655710885431\r\nbizType: 1\r\naction: send\r\nsign: 87c3560d3331ae23f1021e2025722354\r\n\r\n"

    @Test func verifyValidAndClockWarning() throws {
        let r = try h.run(["verify", "-", "--cred", "accessSecret=abciiiko2k3", "--json"], stdin: Self.validRequest + #"{"name":"牛小信","id":10001}"#)
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try json(r.stdout)
        #expect(doc["verdict"] as? String == "valid")
        #expect((doc["warnings"] as? [String])?.first?.contains("1004 timestamp expired") == true)
        let pinned = try h.run(["verify", "-", "--cred", "accessSecret=abciiiko2k3", "--now", "1655710890000", "--json"],
                               stdin: Self.validRequest + #"{"name":"牛小信","id":10001}"#)
        #expect((try json(pinned.stdout)["warnings"] as? [String])?.isEmpty == true)
    }

    @Test func verifyMismatchIsDiagnosed() throws {
        let pretty = "{\n  \"name\": \"牛小信\",\n  \"id\": 10001\n}"
        let r = try h.run(["verify", "-", "--cred", "accessSecret=abciiiko2k3"], stdin: Self.validRequest + pretty)
        #expect(r.status == 1)
        #expect(r.stdout.contains("✗ mismatch"))
        #expect(r.stdout.contains("body minify: the sender signed the body minified"))
        let wrong = try h.run(["verify", "-", "--cred", "accessSecret=abciiiko2k3\n", "--json"], stdin: Self.validRequest + #"{"name":"牛小信","id":10001}"#)
        let diagnosis = try json(wrong.stdout)["diagnosis"] as? [[String: Any]] ?? []
        #expect(wrong.status == 1)
        // A secret that is not the sender's: every usual mistake is tried, and none reproduces it.
        #expect(diagnosis.map { $0["variant"] as? String ?? "" } == [
            "body pretty", "body sort-keys", "body escape-unicode", "body add-newline", "digest sha256", "timestamp unit",
            "accessSecret + a trailing newline", "accessSecret + a trailing CRLF", "accessSecret + a trailing space",
            "algorithm header signed", "&body= for an empty body", "NXCC bizType/action",
        ])
        #expect(diagnosis.allSatisfy { $0["matches"] as? Bool == false })
        let secret = try h.run(["verify", "-", "--cred", "accessSecret=other", "--their-string",
                                #"accessKey=fme2na3kdi3ki&action=send&bizType=1&ts=1655710885431&body={"name":"牛小信","id":10001}&accessSecret=abciiiko2k3"#],
                               stdin: Self.validRequest + #"{"name":"牛小信","id":10001}"#)
        #expect(secret.stdout.contains("the secrets differ"))
        // A difference before the secret is shown in context, without the secret's bytes.
        let context = try h.run(["verify", "-", "--cred", "accessSecret=abciiiko2k4", "--json", "--their-string",
                                 #"accessKey=fme2na3kdi3ki&action=send&bizType=1&ts=1655710885431&body={"name":"牛小信","id":1000}&accessSecret=abciiiko2k3"#],
                                stdin: Self.validRequest + #"{"name":"牛小信","id":10001}"#)
        let lines = try json(context.stdout)["stringComparison"] as? [String] ?? []
        #expect(lines.first == "the strings to sign first differ at byte 98:")
        #expect(!lines.joined().contains("abciiiko2k"))
    }

    @Test func verifyWarnsAboutSecondsWhereMillisecondsAreExpected() throws {
        let request = Self.validRequest.replacing("ts: 1655710885431", with: "ts: 1655710885")
        let r = try h.run(["verify", "-", "--cred", "accessSecret=abciiiko2k3", "--now", "1655710890000"], stdin: request + "{}")
        #expect(r.status == 1)
        #expect(r.stdout.contains("ts has 10 digits: seconds where milliseconds are expected"))
    }

    @Test func verifyCannotEvaluateWithoutASignature() throws {
        let r = try h.run(["verify", "-"], stdin: "POST /x HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{}")
        #expect(r.status == 65)
        #expect(r.stderr.contains("carries no signature of a known vendor"))
        let headers = try h.run(["verify", "--header", "Api-Key: bDqJFiq9", "--header", "Timestamp: 1630468800",
                                 "--header", "Sign: 05d7a50893e22a5c4bb3216ae3396c7c", "--cred", "apiSecret=7bz1lzh9", "--now", "1630468801"])
        #expect(headers.status == 0, "\(headers.stdout)\(headers.stderr)")
        #expect(headers.stdout.contains("✓ valid"))
    }

    @Test func verifyAlibabaV2FromACurlCommand() throws {
        let curl = "curl 'http://ecs.aliyuncs.com/?AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0&Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26&Signature=OLeaidS1JvxuMvnyHOwuJ%2BuX5qY%3D'"
        let r = try h.run(["verify", "-", "--cred", "accessKeySecret=testsecret", "--now", "2016-02-23T12:50:00Z"], stdin: curl)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let wrong = try h.run(["verify", "-", "--cred", "accessKeySecret=testsecret", "--now", "2016-02-23T12:50:00Z"],
                              stdin: curl.replacing("OLeaidS1JvxuMvnyHOwuJ%2BuX5qY%3D", with: "Bogus%3D"))
        #expect(wrong.status == 1)
    }
}

/// The signature story never misleads: what a copy added is not blamed on the sender.
@Suite struct VerifyTrustTests {
    let h = Harness()
    static let request = "POST /openapi/aiagent/call/list HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 31\r\naccessKey: fme2na3kdi3ki\r\nts: 1655710885431\r\nbizType: 1\r\naction: send\r\nsign: 87c3560d3331ae23f1021e2025722354\r\n\r\n"

    @Test func aNewlineACopyAddedIsCutByContentLength() throws {
        let r = try h.run(["verify", "-", "--cred", "accessSecret=abciiiko2k3", "--now", "1655710890000", "--json"],
                          stdin: Self.request + #"{"name":"牛小信","id":10001}"# + "\n")
        #expect(r.status == 0, "\(r.stdout)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(doc["verdict"] as? String == "valid")
        #expect((doc["warnings"] as? [String])?.first == "the body is 1 byte longer than its Content-Length (31): the first 31 bytes are used (a copy added a newline)")
        let cut = try h.run(["verify", "-", "--cred", "accessSecret=abciiiko2k3", "--now", "1655710890000", "--json"],
                            stdin: Self.request + #"{"name":"牛小信","id":1000"#)
        #expect(cut.stdout.contains("bytes shorter than its Content-Length (31): it looks cut off"))
    }

    @Test func curlDataAtFileReadsTheFile() throws {
        let file = try h.write("body.json", #"{"name":"牛小信","id":10001}"#)
        let curl = "curl -X POST https://api-hk.nxlink.ai/openapi/aiagent/call/list -H 'accessKey: fme2na3kdi3ki' -H 'ts: 1655710885431' -H 'bizType: 1' -H 'action: send' -H 'sign: 87c3560d3331ae23f1021e2025722354' --data-binary @\(file)"
        let r = try h.run(["verify", curl, "--cred", "accessSecret=abciiiko2k3", "--now", "1655710890000"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.hasPrefix("✓ valid"))
    }

    @Test func aSecretHeldForAnotherKeyIsNeverUsedSilently() throws {
        let request = try h.write("req.http", Self.request.replacing("Content-Length: 31\r\n", with: "") + #"{"name":"牛小信","id":10001}"#)
        let r = try h.run(["-c", "sign nxlink call/list --cred accessKey=OTHER --cred accessSecret=abciiiko2k3 {}",
                           "-c", "verify @\(request) --now 1655710890000"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("error: this message is signed with accessKey fme2na3kdi3ki, but the session's accessSecret was given with accessKey OTHER"))
        let ok = try h.run(["verify", "@\(request)", "--now", "1655710890000", "--cred", "accessSecret=abciiiko2k3"])
        #expect(ok.stdout.hasSuffix("checked with accessKey fme2na3kdi3ki, accessSecret (given here)\n"))
    }
}

@Suite struct LargeListTests {
    let h = Harness()

    @Test func aLargeListIsDecodedElementByElement() throws {
        let record = #"{"callId":"c-1","callResult":17,"callStatus":10,"callAnswer":1742378343,"callEnd":1742378480,"callElapsed":137,"taskId":"t","contactId":"k","createTs":1742378329,"callStart":1742378340}"#
        // Over the 4 MB threshold, with one element that is not JSON.
        let count = 25_000
        let text = "[\n" + Array(repeating: record, count: count).joined(separator: ",\n") + ",\n{\"broken\": tru}\n]\n"
        let path = try h.write("big.json", text)
        let r = try h.run(["decode", "@" + path, "--json"])
        #expect(r.status == 65, "one element is not JSON")
        let doc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect((doc?["records"] as? [Any])?.count == count)
        let summary = doc?["summary"] as? [String: Any]
        #expect(summary?["records"] as? Int == count)
        #expect((summary?["unparsableLines"] as? [[String: Any]])?.first?["line"] as? Int == count + 1, "the element's number")
        let human = try h.run(["--color", "never", "decode", "@" + path])
        #expect(human.stdout.contains("… \(count - 50) more records (--all prints each)"), "\(human.stdout.suffix(400))")
        #expect(human.stdout.contains("Summary: \(count) records"))
    }
}
