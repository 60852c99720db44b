import Signing
import Adapters
import Testing
import Workbench
@testable import LuaHost

/// Every plugin shipped in plugins/ loads cleanly and passes every example it carries.
@Suite struct BundledPluginTests {
    static let pluginsFolder: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path + "/plugins"
    }()

    static func loadedHost() -> PluginHost {
        let host = PluginHost(roots: [PluginRoot(path: pluginsFolder, origin: .bundled)])
        host.load()
        return host
    }

    @Test func allBundledPluginsLoad() {
        let host = Self.loadedHost()
        #expect(host.diagnostics.isEmpty, "\(host.diagnostics)")
        #expect(host.adapter("telephony") != nil)
    }

    @Test func everyExamplePasses() {
        let host = Self.loadedHost()
        var count = 0
        for adapter in host.adapters {
            for result in ExampleRunner.run(adapter, host: host) {
                count += 1
                #expect(result.passed, "\(result.plugin) \(result.kind) \(result.name): \(result.detail)")
            }
        }
        #expect(count > 0)
    }

    @Test func telephonyMapsCausesAndSIPBothWays() throws {
        let a = try #require(Self.loadedHost().adapter("telephony"))
        let causes = try #require(a.table(named: "hangupCause"))
        let sip = try #require(a.table(named: "sip"))
        #expect(causes.entries.count == 82)
        #expect(sip.entries.count == 60)
        #expect(causes.entry("17")?.attributes["sip"] == "486")
        #expect(causes.entry("NORMAL_CLEARING")?.code == "16")
        #expect(causes.entry("orIGINATOR_cancel")?.code == "487")
        #expect(sip.entry("486")?.attributes["fs_cause"] == "USER_BUSY")
        #expect(sip.entry("404")?.attributes["fs_cause"] == "UNALLOCATED_NUMBER")
        #expect(sip.entry("182")?.attributes["fs_cause"] == "NORMAL_UNSPECIFIED")
        // Every cause's SIP mapping names a code of the SIP table (or BYE for normal clearing).
        for entry in causes.entries {
            let code = try #require(entry.attributes["sip"])
            #expect(code == "BYE" || sip.entry(code) != nil, "\(entry.code) maps to unknown SIP \(code)")
        }
    }
}

/// `examples.decode`: every fixture of every vendor plugin decodes as its plugin says.
@Suite struct DecodeExampleTests {
    let host = BundledPluginTests.loadedHost()

    @Test func everyBundledDecodeExamplePasses() {
        for adapter in host.adapters where adapter.id != "telephony" {
            let results = DecodeExamples.run(adapter, adapters: host.adapters)
            #expect(!results.isEmpty, "\(adapter.id) carries no decode example")
            for r in results { #expect(r.passed, "\(adapter.id) \(r.name): \(r.detail)") }
        }
    }

    @Test func aWrongExpectationFailsWithWhatDiffers() throws {
        var nxlink = try #require(host.adapter("nxlink"))
        nxlink.examples.decode = [DecodeExample(name: "wrong", fixture: "fixtures/callback-seed.json", kind: "callListRecord", records: 2,
                                                fields: ["callResult": "busy", "nope": "x"], warnings: ["timing"])]
        let result = try #require(DecodeExamples.run(nxlink, adapters: host.adapters).first)
        #expect(!result.passed)
        #expect(result.detail == "1 records, expected 2; record 1 decoded as nxlink callRecordCallback; callResult: meaning 'Normal end – user hung up — call result' lacks 'busy'; no field nope; warnings [], expected [timing]")
    }
}
