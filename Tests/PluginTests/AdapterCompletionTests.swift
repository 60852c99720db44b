import Signing
import Commands
import Shell
import Testing
@testable import LuaHost

/// Completion learns vendor ids, tables, codes, operations and payload fields from the adapters.
@Suite struct AdapterCompletionTests {
    static func session() -> Session {
        let session = Session(registry: BuiltinCommands.registry(), history: HistoryStore(path: nil),
                              output: OutputSink(out: { _ in }, err: { _ in }))
        session.register(BundledPluginTests.loadedHost())
        return session
    }

    func complete(_ text: String, _ session: Session = AdapterCompletionTests.session()) -> [String] {
        Completer.complete(text, session: session, registry: session.registry).candidates
    }

    @Test func vendorsTablesAndCodes() {
        #expect(complete("use nx") == ["nxcloud-callbot", "nxlink"])
        #expect(complete("explain nxlink callR") == ["callResult"])
        #expect(complete("explain nxlink callResult 1") == ["1", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19"])
        #expect(complete("explain telephony hangupCause NORMAL_C").contains("NORMAL_CLEARING"))
        #expect(complete("codes alibaba-aiccs sm") == ["smartStatusCode"])
    }

    @Test func operationsAndPayloadFields() {
        #expect(complete("sign nxlink call/") == ["call/append", "call/list"])
        let session = Self.session()
        session.vendor = "itniotech"
        #expect(complete("explain --operation task", session) == ["taskAdd", "taskEdit", "taskList", "taskNoCall"])
        #expect(complete("decode --field callDetailList[].t", session) == ["callDetailList[].text", "callDetailList[].type"])
        #expect(complete("decode --kind push", session) == ["pushCallRecord"])
    }
}
