import Adapters
import Glibc
import Inspect
import JSONText
import LuaHost
import Shell
import Wire

/// One re-computation tried while diagnosing a mismatch.
struct DiagnosisVariant {
    var variant: String
    var matches: Bool
    var explanation: String
}

/// The outcome of checking a signature.
struct Verification {
    var vendor: String?
    /// valid, mismatch, or unverifiable.
    var verdict: String
    var expected: String?
    var received: String?
    var reason: String?
    var diagnosis: [DiagnosisVariant] = []
    var clockWarnings: [String] = []
    var steps: [TraceStep] = []
    var comparison: [String] = []

    var json: JSONValue {
        var members: [JSONMember] = [
            JSONMember("verdict", .string(verdict)), JSONMember("vendor", vendor.map { .string($0) } ?? .null),
            JSONMember("expected", expected.map { .string($0) } ?? .null), JSONMember("received", received.map { .string($0) } ?? .null),
            JSONMember("diagnosis", .array(diagnosis.map { ["variant": .string($0.variant), "matches": .bool($0.matches), "explanation": .string($0.explanation)] })),
            JSONMember("warnings", .array(clockWarnings.map { .string($0) })),
        ]
        if let reason { members.append(JSONMember("reason", .string(reason))) }
        if !comparison.isEmpty { members.append(JSONMember("stringComparison", .array(comparison.map { .string($0) }))) }
        return .object(members)
    }
}

/// Recomputes a received signature with the adapter's recipe and, on a mismatch, tries the ways
/// senders usually get it wrong until one reproduces what was received.
enum VerifyEngine {
    struct Extraction {
        var adapter: Adapter
        var received: String
        var publicCredentials: [String: String]
        var pins: [String: String]
        var query: [String: String]?
        var clock: PluginTable?
    }

    /// Used by decode: verify only when the message carries a signature and the secret is known.
    static func verifyIfPossible(_ message: HTTPMessage, session: Session, records: [DecodedRecord]) -> Verification? {
        guard let extraction = try? extract(message, session: session, vendor: records.first?.vendor) else { return nil }
        let known = session.credentialStore.get(extraction.adapter.id)
        let secrets = extraction.adapter.credentials.filter { $0.secret && $0.name != "securityToken" }.map(\.name)
        guard secrets.allSatisfy({ known[$0] != nil }) else { return nil }
        return try? verify(message, extraction: extraction, credentials: known.merging(extraction.publicCredentials) { $1 },
                           session: session, now: nil, theirString: nil)
    }

    /// Which adapter's signature the message carries (the first whose signature_of hook answers).
    static func extract(_ message: HTTPMessage, session: Session, vendor: String?) throws(CommandError) -> Extraction {
        guard let host = session.pluginHost else { throw CommandError(.config, "no plugin host") }
        let lua = luaMessage(message)
        var candidates = session.adapters.filter { $0.hooks["signature_of"] != nil }
        if let vendor { candidates = candidates.filter { $0.id == vendor } }
        for adapter in candidates {
            let result: PluginValue?
            do { result = try host.callHook(adapter.id, "signature_of", arguments: [lua]) } catch { throw CommandError(.config, error.message) }
            guard case .table(let t)? = result, let received = t["signature"]?.scalarText else { continue }
            func map(_ key: String) -> [String: String] {
                guard case .table(let m)? = t[key] else { return [:] }
                return m.fields.compactMapValues(\.scalarText)
            }
            var query: [String: String]?
            if case .table? = t["query"] { query = map("query") }
            var clock: PluginTable?
            if case .table(let c)? = t["clock"] { clock = c }
            return Extraction(adapter: adapter, received: received, publicCredentials: map("cred"), pins: map("pins"), query: query, clock: clock)
        }
        let names = candidates.map(\.id).joined(separator: ", ")
        throw CommandError(.dataError, "the message carries no signature of a known vendor (checked: \(names))",
                           hint: "verify needs the vendor's signature headers (or query parameters) as they were received")
    }

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

    static func verify(_ message: HTTPMessage, extraction: Extraction, credentials: [String: String], session: Session,
                       now: Int64?, theirString: String?) throws(CommandError) -> Verification {
        guard let host = session.pluginHost else { throw CommandError(.config, "no plugin host") }
        let adapter = extraction.adapter
        let body = String(decoding: message.body, as: UTF8.self)
        var query = extraction.query ?? Dictionary(message.queryItems, uniquingKeysWith: { a, _ in a })
        if extraction.query == nil, query.isEmpty { query = [:] }
        let pins = extraction.pins.filter { !$0.value.isEmpty }
        func sign(pins: [String: String], body: String?, credentials: [String: String]) -> SignOutput? {
            let request = SignRequest(operation: nil, method: message.method ?? "POST", path: message.path,
                                      body: body, query: query, pins: pins)
            return try? host.sign(adapter.id, request: request, credentials: credentials)
        }
        var result = Verification(vendor: adapter.id, verdict: "unverifiable", expected: nil, received: extraction.received)
        result.clockWarnings = clockWarnings(extraction.clock, now: now)
        guard let base = sign(pins: pins, body: message.body.isEmpty ? nil : body, credentials: credentials) else {
            result.reason = "the adapter could not compute a signature from this message"
            return result
        }
        result.expected = base.signature
        result.steps = base.steps
        if constantTimeEqual(base.signature, extraction.received) {
            result.verdict = "valid"
            return result
        }
        result.verdict = "mismatch"
        result.diagnosis = diagnose(received: extraction.received, base: base, adapter: adapter, pins: pins, body: body,
                                    credentials: credentials, sign: sign)
        if let theirString {
            let secretValues = adapter.credentials.filter(\.secret).compactMap { credentials[$0.name] }
            result.comparison = compare(ours: stringToSign(base.steps), theirs: theirString, secrets: secretValues)
        }
        return result
    }

    /// Timestamp window and unit, as warnings separate from the verdict.
    static func clockWarnings(_ clock: PluginTable?, now: Int64?) -> [String] {
        guard let clock else { return [] }
        var warnings: [String] = []
        if let problem = clock["unit_problem"]?.scalarText { warnings.append(problem) }
        let text = clock["text"]?.scalarText ?? "?"
        guard let stampText = clock["epoch_ms"]?.scalarText, let stamp = Int64(stampText) ?? Double(stampText).map({ Int64($0) }) else {
            return warnings
        }
        var tv = timespec()
        clock_gettime(CLOCK_REALTIME, &tv)
        let nowMs = now ?? (Int64(tv.tv_sec) * 1000 + Int64(tv.tv_nsec) / 1_000_000)
        let skew = (nowMs - stamp) / 1000
        let described = "\(TimeFormat.duration(seconds: abs(skew))) \(skew >= 0 ? "old" : "in the future")"
        if let windowText = clock["window_s"]?.scalarText, let window = Int64(windowText) {
            if abs(skew) > window {
                let error = clock["error"]?.scalarText.map { "; the vendor would answer \($0)" } ?? ""
                warnings.append("timestamp \(text) is \(described), outside the ±\(TimeFormat.duration(seconds: window)) window\(error) (captures are often checked later: --now pins the clock)")
            }
        } else if abs(skew) > 300 {
            warnings.append("timestamp \(text) is \(described) (the allowed drift is not documented)")
        }
        return warnings
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) { diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0) }
        return diff == 0
    }

    typealias Signer = ([String: String], String?, [String: String]) -> SignOutput?

    static func diagnose(received: String, base: SignOutput, adapter: Adapter, pins: [String: String], body: String,
                         credentials: [String: String], sign: Signer) -> [DiagnosisVariant] {
        var variants: [DiagnosisVariant] = []
        func attempt(_ name: String, _ explanation: String, pins p: [String: String]? = nil, body b: String?? = nil,
                     credentials c: [String: String]? = nil) {
            let bodyArg: String? = b ?? (body.isEmpty ? nil : body)
            guard let out = sign(p ?? pins, bodyArg, c ?? credentials) else { return }
            variants.append(DiagnosisVariant(variant: name, matches: constantTimeEqual(out.signature, received), explanation: explanation))
        }
        if base.signature.lowercased() == received.lowercased() {
            variants.append(DiagnosisVariant(variant: "hex case", matches: true,
                                             explanation: "the signatures differ only in letter case: the sender used \(received == received.uppercased() ? "upper" : "lower")-case hex"))
        }
        // The body as the sender may have signed it.
        for transform in ["minify", "pretty", "sort-keys", "escape-unicode", "strip-newline", "add-newline"] {
            guard let alt = BodyTransform.apply(transform, to: body), alt != body else { continue }
            attempt("body \(transform)", BodyTransform.explanation(transform), body: .some(alt))
        }
        // The timestamp in the other unit.
        if let ts = pins["ts"], let n = Int64(ts) {
            let other = ts.count >= 13 ? String(n / 1000) : String(n * 1000)
            var p = pins
            p["ts"] = other
            attempt("timestamp unit", "the sender signed the timestamp as \(other) (\(other.count >= 13 ? "milliseconds" : "seconds")) but sent \(ts)", pins: p)
        }
        // The other digest.
        for alg in ["md5", "sha256", "MD5", "SHA256"] where pins["algorithm"]?.lowercased() != alg.lowercased() && alg == alg.lowercased() {
            var p = pins
            p["algorithm"] = pins["algorithm"].map { $0 == $0.uppercased() ? alg.uppercased() : alg } ?? alg
            attempt("digest \(alg)", "the sender hashed with \(alg.uppercased()) but the algorithm header says \(pins["algorithm"] ?? "nothing (MD5)")", pins: p)
        }
        // The secret with stray whitespace.
        for c in adapter.credentials where c.secret {
            guard let secret = credentials[c.name] else { continue }
            for (suffix, words) in [("\n", "a trailing newline"), ("\r\n", "a trailing CRLF"), (" ", "a trailing space")] {
                var creds = credentials
                creds[c.name] = secret + suffix
                attempt("\(c.name) + \(words)", "the sender's \(c.name) ends in \(words) (read from a file?)", credentials: creds)
            }
        }
        // The adapter's own pitfalls.
        for pitfall in adapter.pitfalls where !pitfall.pins.isEmpty || pitfall.body != nil {
            var p = pins
            for (k, v) in pitfall.pins { p[k] = v }
            let b: String?? = pitfall.body.map { .some(BodyTransform.apply($0, to: body) ?? body) }
            attempt(pitfall.name, pitfall.explanation, pins: p, body: b ?? nil)
        }
        return variants
    }

    /// The step that is the string to sign (the last step whose name says so).
    static func stringToSign(_ steps: [TraceStep]) -> String {
        steps.last { $0.name.lowercased().contains("string to sign") || $0.name.contains("StringToSign") }?.value
            ?? steps.first?.value ?? ""
    }

    /// Where our string to sign and theirs part, with context. When they agree up to where our
    /// secret begins, the secret is what differs.
    static func compare(ours: String, theirs: String, secrets: [String]) -> [String] {
        let a = Array(ours.utf8), b = Array(theirs.utf8)
        guard let index = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset ?? (a.count == b.count ? nil : min(a.count, b.count)) else {
            return ["the strings to sign are identical, so the secret differs (check which credential the sender used)"]
        }
        for secret in secrets where !secret.isEmpty {
            if let range = ours.ranges(of: secret).first {
                let start = ours.utf8.distance(from: ours.startIndex, to: range.lowerBound)
                if index >= start, index < start + secret.utf8.count {
                    return ["the strings to sign agree up to the secret (byte \(start + 1)): the secrets differ"]
                }
            }
        }
        // Our string holds the secret: its bytes are shown as '*' (same length, so positions hold).
        let hidden = SecretBytes.hidden(in: a, secrets: secrets)
        let shown = a.enumerated().map { hidden[$0.offset] ? UInt8(ascii: "*") : $0.element }
        func window(_ bytes: [UInt8]) -> String {
            let from = max(0, index - 24), to = min(bytes.count, index + 24)
            return String(decoding: bytes[from..<to], as: UTF8.self).replacing("\n", with: "⏎")
        }
        // Their string likely holds their secret at the same place: hide those bytes too.
        var theirsShown = b
        for i in 0..<min(shown.count, theirsShown.count) where hidden[i] {
            theirsShown[i] = UInt8(ascii: "*")
        }
        return ["the strings to sign first differ at byte \(index + 1):",
                "  ours:   …\(window(shown))…", "  theirs: …\(window(theirsShown))…"]
    }
}
