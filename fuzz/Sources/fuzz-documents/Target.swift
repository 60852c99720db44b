import FuzzSupport
import Adapters
import FoundationEssentials
import Inspect
import JSONText
import LuaHost
import Signing
import Workbench

/// decode and verify end to end with the bundled plugins: any document (JSON, NDJSON, a raw HTTP
/// message, a curl command) is decoded, and verified when it carries a signature; a document the
/// streaming decoder takes as one record must come out of it exactly as out of the value tree.
enum Fixture {
    static let host: PluginHost = {
        let folder = ProcessInfo.processInfo.environment["CALLSCOPE_PLUGINS"] ?? "plugins"
        let host = PluginHost(roots: [PluginRoot(path: folder, origin: .bundled)], clock: { 1_700_000_000_000 })
        host.load()
        precondition(!host.adapters.isEmpty, "no plugins in \(folder): set CALLSCOPE_PLUGINS")
        return host
    }()
    /// One streaming decoder for the whole run, so its caches fill up as they do on a long stream.
    nonisolated(unsafe) static var lines = LineAnnotator(adapters: host.adapters)
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
    var out = OutputBuffer(capacity: 256)
    defer { out.free() }
    if bytes.withUnsafeBufferPointer({ Fixture.lines.annotate($0, into: &out) }) != nil {
        var tree: [UInt8] = []
        for record in decoder.decode(try! JSONParser.parse(bytes: bytes)) {
            record.writeJSON(into: &tree)
            tree.append(0x0A)
        }
        precondition(tree == Array(out.bytes), "the streaming decoder and the value tree disagree")
    }
    return 0
}
