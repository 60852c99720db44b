import Foundation
import Testing

@Suite struct PluginCommandTests {
    let h = Harness()

    @Test func listsBundledPluginsAsJSON() throws {
        let r = try h.run(["plugins", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let plugins = object?["plugins"] as? [[String: Any]] ?? []
        #expect(plugins.contains { $0["id"] as? String == "telephony" && $0["codes"] as? Int == 142 })
    }

    @Test func pluginsTestRunsEveryExample() throws {
        let r = try h.run(["plugins", "test"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("pass  telephony  explain"))
        #expect(r.stdout.contains(" 0 failed"))
    }

    @Test func aBrokenExtraPluginIsReportedAndTheRestStillWork() throws {
        let dir = h.home.appendingPathComponent("extra/bad")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "return {\n schema = 1, id = 'bad', name = 'Bad',\n codes = { t = { values = { { 1 } } } }\n}\n"
            .write(to: dir.appendingPathComponent("plugin.lua"), atomically: true, encoding: .utf8)
        let r = try h.run(["--plugins", h.home.appendingPathComponent("extra").path, "plugins", "test"])
        #expect(r.stderr.contains("plugin skipped: \(dir.path)/plugin.lua:3: codes.t.values[1]: must be { code, \"meaning\", … }"), "\(r.stderr)")
        #expect(r.status == 1)
        #expect(r.stdout.contains("pass  telephony"))
        let info = try h.run(["--plugins", h.home.appendingPathComponent("extra").path, "plugins", "info", "telephony"])
        #expect(info.status == 0)
    }

    @Test func failingExampleMakesPluginsTestFail() throws {
        let dir = h.home.appendingPathComponent("extra/wrong")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try """
        return { schema = 1, id = "wrong", name = "Wrong",
          credentials = { { name = "k" }, { name = "s", secret = true } },
          sign = function(req, cred) return { headers = { Sign = cs.hex(cs.md5(cred.k .. cred.s .. req.pin.ts)) } } end,
          examples = { sign = { { name = "bad vector", cred = { k = "a", s = "b" }, pin = { ts = "1" }, expect = { Sign = "00" } } } } }
        """.write(to: dir.appendingPathComponent("plugin.lua"), atomically: true, encoding: .utf8)
        let r = try h.run(["--plugins", h.home.appendingPathComponent("extra").path, "plugins", "test", "wrong", "--json"])
        #expect(r.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let results = object?["results"] as? [[String: Any]] ?? []
        #expect(results.first?["passed"] as? Bool == false)
        #expect((results.first?["detail"] as? String)?.contains("Sign: expected 00, got") == true)
    }

    @Test func useSetsTheVendorAndUnknownVendorsAreNotFound() throws {
        let r = try h.run(["-c", "use telephony", "-c", "use --json"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("using telephony"))
        let bad = try h.run(["use", "telefony"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("did you mean 'telephony'"))
        let info = try h.run(["plugins", "info", "nosuch"])
        #expect(info.status == 1)
    }
}
