import FuzzSupport
import Adapters
import FoundationEssentials
import Inspect
import LuaHost
import Signing
import Workbench

/// decode and verify end to end with the bundled plugins: any document (JSON, NDJSON, a raw HTTP
/// message, a curl command) is decoded, and verified when it carries a signature.
enum Fixture {
    static let host: PluginHost = {
        let folder = ProcessInfo.processInfo.environment["CALLSCOPE_PLUGINS"] ?? "plugins"
        let host = PluginHost(roots: [PluginRoot(path: folder, origin: .bundled)], clock: { 1_700_000_000_000 })
        host.load()
        precondition(!host.adapters.isEmpty, "no plugins in \(folder): set CALLSCOPE_PLUGINS")
        return host
    }()
    static let credentials: CredentialStore = {
        let store = CredentialStore()
        for adapter in host.adapters {
            for credential in adapter.credentials { store.set(adapter.id, credential.name, "fuzz-\(credential.name)") }
        }
        return store
    }()
}

@_cdecl("fuzz_documents_main")
public func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, test)
}

let test: FuzzTest = { data, size in
    let bytes = FuzzDriver.bytes(data, size)
    var decoder = PayloadDecoder(adapters: Fixture.host.adapters)
    let verifier = MessageVerifier(adapters: Fixture.host.adapters, signer: Fixture.host, clock: { 1_700_000_000_000 })
    _ = try? DocumentDecoding.decode(bytes, origin: "fuzz", decoder: &decoder, verifier: verifier, credentials: Fixture.credentials)
    return 0
}
