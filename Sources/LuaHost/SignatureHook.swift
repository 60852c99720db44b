import Adapters
import Signing
import Wire

extension PluginHost {
    /// Runs the adapter's `signature_of(message)` hook: which signature the message carries and
    /// what is needed to recompute it. Nil when the adapter has no such hook or the message carries
    /// none of its signatures.
    public func signatureOf(_ vendor: String, message: HTTPMessage) throws(SigningError) -> SignatureClaim? {
        let result: PluginValue?
        do { result = try callHook(vendor, "signature_of", arguments: [PluginHost.luaMessage(message)]) } catch {
            // The message is untrusted input: what the plugin raises while reading it is about the message.
            throw SigningError(error.message, kind: error.kind == .runtime ? .input : error.kind == .interrupted ? .interrupted : .plugin)
        }
        guard case .table(let t)? = result, let received = t["signature"]?.scalarText else { return nil }
        func map(_ key: String) -> [String: String] {
            guard case .table(let m)? = t[key] else { return [:] }
            return m.fields.compactMapValues(\.scalarText)
        }
        var claim = SignatureClaim(vendor: vendor, received: received, publicCredentials: map("cred"), pins: map("pins"))
        if case .table? = t["query"] { claim.query = map("query") }
        if case .table(let c)? = t["clock"] {
            claim.clock = ClockClaim(text: c["text"]?.scalarText ?? "?", epochMilliseconds: c["epoch_ms"]?.scalarText.flatMap(PluginHost.epochMilliseconds),
                                     windowSeconds: c["window_s"]?.scalarText.flatMap { Int64($0) }, error: c["error"]?.scalarText,
                                     unitProblem: c["unit_problem"]?.scalarText)
        }
        return claim
    }

    /// A plugin's epoch-milliseconds text as a number; nil when it is not one or does not fit.
    static func epochMilliseconds(_ text: String) -> Int64? {
        if let n = Int64(text) { return n }
        guard let d = Double(text), d.isFinite else { return nil }
        return Int64(exactly: d.rounded())
    }

    /// The message as the hook sees it: method, path, headers (lower-case names, first wins), query, body.
    static func luaMessage(_ message: HTTPMessage) -> PluginValue {
        var headers: [String: PluginValue] = [:]
        for h in message.headers where headers[h.name.lowercased()] == nil { headers[h.name.lowercased()] = .string(h.value) }
        var query: [String: PluginValue] = [:]
        for (k, v) in message.queryItems { query[k] = .string(v) }
        return .table(PluginTable(fields: [
            "method": .string(message.method ?? "POST"), "path": .string(message.path),
            "headers": .table(PluginTable(fields: headers)), "query": .table(PluginTable(fields: query)),
            "body": .string(String(decoding: message.body, as: UTF8.self)),
        ]))
    }
}
