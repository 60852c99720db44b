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
        let r = try h.run(["plugins", "test", "--json"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let results = object?["results"] as? [[String: Any]] ?? []
        #expect(object?["failed"] as? Int == 0)
        let vendors = Set(results.compactMap { $0["plugin"] as? String })
        #expect(vendors == ["telephony", "nxlink", "nxcloud-callbot", "itniotech", "alibaba-aiccs"])
        let verified = results.filter { ($0["kind"] as? String) == "sign" && (($0["name"] as? String) ?? "").hasSuffix("(verified)") }
        #expect(verified.count == 4, "every [VERIFIED] vector of FACTS.md runs")
        let human = try h.run(["plugins", "test"])
        #expect(human.stdout.contains(" 0 failed"))
    }

    @Test func aBrokenExtraPluginIsReportedAndTheRestStillWork() throws {
        let dir = h.home.appendingPathComponent("extra/bad")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "return {\n schema = 1, id = 'bad', name = 'Bad',\n codes = { t = { values = { { 1 } } } }\n}\n"
            .write(to: dir.appendingPathComponent("plugin.lua"), atomically: true, encoding: .utf8)
        let r = try h.run(["--plugins", h.home.appendingPathComponent("extra").path, "plugins", "test"])
        #expect(r.stderr.contains("plugin skipped: \(dir.path)/plugin.lua:3: codes.t.values[1]: must be { code, \"meaning\", … }"), "\(r.stderr)")
        #expect(r.status == 1)
        #expect(r.stdout.contains("telephony"))
        #expect(!r.stdout.contains("FAIL  telephony"))
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

    @Test func pluginsCanAddShellCommands() throws {
        let dir = h.home.appendingPathComponent("extra/greeter")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try """
        return { schema = 1, id = "greeter", name = "Greeter",
          commands = { greet = { summary = "say hello", run = function(args) return "hello " .. table.concat(args, " ") end },
                       crash = { summary = "fails", run = function(args) error("on purpose") end } } }
        """.write(to: dir.appendingPathComponent("plugin.lua"), atomically: true, encoding: .utf8)
        let extra = h.home.appendingPathComponent("extra").path
        let r = try h.run(["--plugins", extra, "greet", "big", "world"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "hello big world\n")
        let crash = try h.run(["--plugins", extra, "--keep-going", "-c", "crash", "-c", "greet again"])
        #expect(crash.status == 78)
        #expect(crash.stderr.contains("greeter: greeter/plugin.lua:3: on purpose"), "\(crash.stderr)")
        #expect(crash.stdout.contains("hello again"))
        let help = try h.run(["--plugins", extra, "-c", "plugins", "-c", "help"])
        #expect(help.stdout.contains("Plugin greeter"))
    }
}
