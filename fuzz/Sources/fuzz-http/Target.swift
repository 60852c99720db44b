import FuzzSupport
import Wire

/// The raw HTTP and curl parsers, and rendering a parsed message back as curl.
@_cdecl("fuzz_http_main")
public func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, test)
}

let test: FuzzTest = { data, size in
    let bytes = FuzzDriver.bytes(data, size)
    if HTTPParser.looksLikeHTTP(bytes), let message = try? HTTPParser.parse(bytes) {
        _ = message.path
        _ = message.queryItems
    }
    let text = String(decoding: bytes, as: UTF8.self)
    if let message = try? CurlParser.parse(text), message.kind == .request {
        _ = CurlRenderer.command(for: message)
    }
    return 0
}
