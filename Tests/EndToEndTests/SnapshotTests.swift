import Foundation
import Testing

/// Whole outputs of the commands users read most, compared byte for byte with the files under
/// Snapshots/. `CALLSCOPE_UPDATE_SNAPSHOTS=1 swift test --filter SnapshotTests` writes them anew;
/// review the diff before committing.
@Suite struct SnapshotTests {
    let h = Harness()
    static let root = InspectCommandTests.root
    static let folder = root + "/Tests/EndToEndTests/Snapshots"
    static let update = ProcessInfo.processInfo.environment["CALLSCOPE_UPDATE_SNAPSHOTS"] == "1"

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var arguments: [String]
        var stdin: String? = nil
        var testDescription: String { name }
    }

    static var fixtureCases: [Case] {
        let plugins = root + "/plugins"
        let vendors = (try? FileManager.default.contentsOfDirectory(atPath: plugins).sorted()) ?? []
        return vendors.flatMap { vendor in
            let files = (try? FileManager.default.contentsOfDirectory(atPath: "\(plugins)/\(vendor)/fixtures").sorted()) ?? []
            return files.flatMap { file in
                let path = "@\(plugins)/\(vendor)/fixtures/\(file)"
                let base = "decode-\(vendor)-\((file as NSString).deletingPathExtension)"
                return [Case(name: base, arguments: ["decode", path]), Case(name: base + "-json", arguments: ["decode", path, "--json"])]
            }
        }
    }

    static let commandCases: [Case] = [
        Case(name: "help", arguments: ["help"]),
        Case(name: "help-sign", arguments: ["help", "sign"]),
        Case(name: "help-verify", arguments: ["help", "verify"]),
        Case(name: "help-decode", arguments: ["help", "decode"]),
        Case(name: "sign-itniotech-explain-hex", arguments: ["sign", "itniotech", "--ts", "1630468800", "--cred", "apiKey=bDqJFiq9",
                                                             "--cred", "apiSecret=7bz1lzh9", "--explain", "--hex"]),
        Case(name: "sign-nxlink-explain-json", arguments: ["sign", "nxlink", "call/list", #"{"name":"牛小信","id":10001}"#, "--ts", "1655710885431",
                                                           "--pin", "bizType=1", "--pin", "action=send", "--cred", "accessKey=fme2na3kdi3ki",
                                                           "--cred", "accessSecret=abciiiko2k3", "--explain", "--json"]),
        Case(name: "sign-callbot-explain", arguments: ["sign", "nxcloud-callbot", #"{"taskId":"t1"}"#, "--ts", "1700000000", "--request-id", "r1",
                                                       "--cred", "uuid=Vh71ym3yQwWSYZFpqkFwTskGXUbSxDtR", "--cred", "secretKey=u7Mf3zUNOkg4lMV9a0E6cHSgIkK22GSr", "--explain"]),
        Case(name: "sign-alibaba-v2-explain", arguments: ["sign", "alibaba-aiccs", "QueryAiCallTaskPage", "--pin", "style=v2", "--date", "2026-11-21T10:00:00Z",
                                                          "--nonce", "n1", "--cred", "accessKeyId=testid", "--cred", "accessKeySecret=testsecret", "--explain"]),
        Case(name: "verify-nxlink-valid", arguments: ["verify", "-", "--cred", "accessSecret=abciiiko2k3", "--now", "1655710890000"],
             stdin: InspectCommandTests.validRequest + #"{"name":"牛小信","id":10001}"#),
        Case(name: "verify-nxlink-mismatch-json", arguments: ["verify", "-", "--cred", "accessSecret=abciiiko2k3", "--now", "1655710890000", "--json"],
             stdin: InspectCommandTests.validRequest + "{\n  \"name\": \"牛小信\",\n  \"id\": 10001\n}"),
        Case(name: "explain-17", arguments: ["explain", "17"]),
        Case(name: "decode-vendor-error-reply", arguments: ["decode", "-"], stdin: #"{"code":1003,"message":"sign error"}"#),
        Case(name: "decode-vendor-error-reply-json", arguments: ["decode", "-", "--json"], stdin: #"{"code":-16,"msg":"timestamp"}"#),
        Case(name: "decode-request-body", arguments: ["decode", "-"], stdin: #"{"taskId":"t1","pageNumber":1,"pageSize":10}"#),
        Case(name: "verify-nxlink-explain", arguments: ["verify", "-", "--cred", "accessSecret=abciiiko2k3", "--now", "1655710890000", "--explain"],
             stdin: InspectCommandTests.validRequest + #"{"name":"牛小信","id":10001}"#),
        Case(name: "decode-nxlink-batch-summary", arguments: ["decode", "@" + root + "/plugins/nxlink/fixtures/callbacks-batch.ndjson", "--summary"]),
        Case(name: "decode-callbot-batch-summary-json", arguments: ["decode", "@" + root + "/plugins/nxcloud-callbot/fixtures/orders-batch.ndjson",
                                                                    "--summary", "--json"]),
        Case(name: "decode-alibaba-list-summary", arguments: ["decode", "@" + root + "/plugins/alibaba-aiccs/fixtures/call-report-batch.json", "--summary"]),
        Case(name: "sign-unknown-operation-json", arguments: ["sign", "nxlink", "call/lst", "--cred", "accessKey=a", "--cred", "accessSecret=b", "--json"]),
    ]

    @Test(arguments: commandCases + fixtureCases)
    func snapshot(_ c: Case) throws {
        let r = try h.run(c.arguments, stdin: c.stdin)
        // Credential values stay out of the snapshot, even the vendors' published samples.
        let shown = c.arguments.enumerated().map { i, word in
            i > 0 && c.arguments[i - 1] == "--cred" ? String(word.prefix { $0 != "=" }) + "=‹…›" : word
        }
        var text = "$ callscope \(shown.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " "))\n"
        text += "[exit \(r.status)]\n--- stdout\n\(r.stdout)--- stderr\n\(r.stderr)"
        text = text.replacing(Self.root, with: "<root>")
        let path = "\(Self.folder)/\(c.name).txt"
        if Self.update {
            try FileManager.default.createDirectory(atPath: Self.folder, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let stored = try #require(try? String(contentsOfFile: path, encoding: .utf8), "no snapshot \(c.name).txt: run with CALLSCOPE_UPDATE_SNAPSHOTS=1")
        #expect(text == stored, "\(c.name) differs from its snapshot")
    }
}
