import Adapters
import Signing
import Wire

extension PluginHost {
    /// Runs the adapter's `signature_of(message)` hook: which signature the message carries and
    /// what is needed to recompute it. Nil when the adapter has no such hook or the message carries
    /// none of its signatures.
    public func signatureOf(_ vendor: String, message: HTTPMessage) throws(SigningError) -> SignatureClaim? {
        do {
            // Only the fields read are converted, straight from the Lua stack.
            return try callStatelessHook(vendor, "signature_of", pushArguments: { PluginHost.push(message, into: $0) }) { (t) throws(LuaError) -> SignatureClaim? in
                guard t.isTable, let received = try t.scalar("signature") else { return nil }
                func map(_ key: String) throws(LuaError) -> [String: String]? {
                    try t.scalars(key).map { Dictionary($0, uniquingKeysWith: { $1 }) }
                }
                var claim = SignatureClaim(vendor: vendor, received: received, publicCredentials: try map("cred") ?? [:], pins: try map("pins") ?? [:])
                claim.query = try map("query")
                if let c = try map("clock") {
                    claim.clock = ClockClaim(text: c["text"] ?? "?", epochMilliseconds: c["epoch_ms"].flatMap(PluginHost.epochMilliseconds),
                                             windowSeconds: c["window_s"].flatMap { Int64($0) }, error: c["error"], unitProblem: c["unit_problem"])
                }
                return claim
            } ?? nil
        } catch {
            // The message is untrusted input: what the plugin raises while reading it is about the message.
            throw SigningError(error.message, kind: error.kind == .runtime ? .input : error.kind == .interrupted ? .interrupted : .plugin)
        }
    }

    /// A plugin's epoch-milliseconds text as a number; nil when it is not one or does not fit.
    static func epochMilliseconds(_ text: String) -> Int64? {
        if let n = Int64(text) { return n }
        guard let d = Double(text), d.isFinite else { return nil }
        return Int64(exactly: d.rounded())
    }

    /// The message as the hook sees it: method, path, headers (lower-case names, first wins), query, body.
    static func push(_ message: HTTPMessage, into sandbox: LuaSandbox) -> Int32 {
        sandbox.pushTable(fields: 5)
        sandbox.push(string: message.method ?? "POST")
        sandbox.setField("method")
        sandbox.push(string: message.path)
        sandbox.setField("path")
        sandbox.pushTable(fields: message.headers.count)
        for h in message.headers {
            sandbox.push(string: h.value)
            sandbox.setField(h.name.lowercased(), unlessSet: true)
        }
        sandbox.setField("headers")
        let query = message.queryItems
        sandbox.pushTable(fields: query.count)
        for (k, v) in query {
            sandbox.push(string: v)
            sandbox.setField(k)
        }
        sandbox.setField("query")
        sandbox.push(string: String(decoding: message.body, as: UTF8.self))
        sandbox.setField("body")
        return 1
    }
}
