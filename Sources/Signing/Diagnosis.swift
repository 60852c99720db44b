import Adapters
import JSONText

/// The usual ways a sender's signature differs from ours, each tried by re-signing.
struct Diagnosis {
    /// Re-signs with other pins, body or credentials; the signature, or nil when the recipe fails.
    typealias Resign = ([String: String], String?, [String: String]) -> String?

    let received: String
    let expected: String
    let adapter: Adapter
    let pins: [String: String]
    let body: String
    let credentials: [String: String]
    let resign: Resign

    func variants() -> [DiagnosisVariant] {
        var variants: [DiagnosisVariant] = []
        func attempt(_ name: String, _ explanation: String, pins p: [String: String]? = nil, body b: String?? = nil,
                     credentials c: [String: String]? = nil) {
            let bodyArg: String? = b ?? (body.isEmpty ? nil : body)
            guard let signature = resign(p ?? pins, bodyArg, c ?? credentials) else { return }
            variants.append(DiagnosisVariant(variant: name, matches: ConstantTime.equal(signature, received), explanation: explanation))
        }
        if expected.lowercased() == received.lowercased() {
            variants.append(DiagnosisVariant(variant: "hex case", matches: true,
                                             explanation: "the signatures differ only in letter case: the sender used \(received == received.uppercased() ? "upper" : "lower")-case hex"))
        }
        // Each different body once: a transform that gives the body as received, or one already
        // tried (sorting keys that were sorted), is no cause.
        var tried: Set<String> = [body]
        for transform in BodyTransform.usual {
            guard let alt = transform.apply(to: body), tried.insert(alt).inserted else { continue }
            attempt("body \(transform.rawValue)", transform.explanation, body: .some(alt))
        }
        variants += keyOrder(tried: tried)
        // The pins the plugin declares: a timestamp in the other unit, each other accepted value.
        for spec in adapter.pins {
            if spec.unit != nil, let stamp = pins[spec.name], let n = Int64(stamp) {
                let inMilliseconds = stamp.count >= 13
                let (scaled, overflow) = n.multipliedReportingOverflow(by: 1000)
                guard inMilliseconds || !overflow else { continue }
                let other = inMilliseconds ? String(n / 1000) : String(scaled)
                var p = pins
                p[spec.name] = other
                attempt("\(spec.label ?? "timestamp") unit", "the sender signed the \(spec.label ?? "timestamp") as \(other) (\(inMilliseconds ? "seconds" : "milliseconds")) but sent \(stamp)", pins: p)
            }
            let current = pins[spec.name]
            var seen: Set<String> = [(current ?? spec.defaultValue ?? "").lowercased()]
            for value in spec.values where seen.insert(value.lowercased()).inserted {
                var p = pins
                // Written the way the sender writes it, when it states one.
                p[spec.name] = current.map { $0 == $0.uppercased() ? value.uppercased() : value.lowercased() } ?? value
                let stated = current ?? "nothing (\(spec.defaultValue ?? "no value"))"
                attempt("\(spec.label ?? spec.name) \(value.lowercased())",
                        "the sender used \(value.uppercased()) but \(spec.statedIn ?? "the message") says \(stated)", pins: p)
            }
        }
        for c in adapter.credentials where c.secret {
            guard let secret = credentials[c.name] else { continue }
            for (suffix, words) in [("\n", "a trailing newline"), ("\r\n", "a trailing CRLF"), (" ", "a trailing space")] {
                var creds = credentials
                creds[c.name] = secret + suffix
                attempt("\(c.name) + \(words)", "the sender's \(c.name) ends in \(words) (read from a file?)", credentials: creds)
            }
        }
        for pitfall in adapter.pitfalls where !pitfall.pins.isEmpty || pitfall.body != nil {
            var p = pins
            for (k, v) in pitfall.pins { p[k] = v }
            let b: String?? = pitfall.body.map { .some($0.apply(to: body) ?? body) }
            attempt(pitfall.name, pitfall.explanation, pins: p, body: b ?? nil)
        }
        return variants
    }
}

extension Diagnosis {
    /// The body's top-level keys signed in another order than sent: every order of an object of
    /// up to six keys (720 re-signings at most), reported once, with the order that reproduces it.
    func keyOrder(tried: Set<String>) -> [DiagnosisVariant] {
        guard case .object(let members)? = try? JSONParser.parse(body), (2...6).contains(members.count),
              Set(members.map(\.key)).count == members.count else { return [] }
        var found: [String]?
        var attempts = 0
        for order in Diagnosis.permutations(Array(members.indices)) where order != Array(members.indices) {
            let reordered = JSONWriter.compact(.object(order.map { members[$0] }))
            guard !tried.contains(reordered) else { continue }
            attempts += 1
            if let signature = resolve(reordered), ConstantTime.equal(signature, received) {
                found = order.map { members[$0].key }
                break
            }
        }
        guard attempts > 0 else { return [] }
        let sent = members.map(\.key).joined(separator: ", ")
        if let found {
            return [DiagnosisVariant(variant: "body key order", matches: true,
                                     explanation: "the sender signed the keys in the order \(found.joined(separator: ", ")) but sent \(sent)")]
        }
        return [DiagnosisVariant(variant: "body key order", matches: false,
                                 explanation: "no other order of the keys (\(attempts) tried) reproduces it")]
    }

    private func resolve(_ body: String) -> String? { resign(pins, body, credentials) }

    /// Heap's algorithm, all orders of `items`.
    static func permutations(_ items: [Int]) -> [[Int]] {
        var result: [[Int]] = []
        var a = items
        var c = [Int](repeating: 0, count: a.count)
        result.append(a)
        var i = 0
        while i < a.count {
            if c[i] < i {
                a.swapAt(i % 2 == 0 ? 0 : c[i], i)
                result.append(a)
                c[i] += 1
                i = 0
            } else {
                c[i] = 0
                i += 1
            }
        }
        return result
    }
}

/// Where our string to sign and the sender's part, with the secret's bytes hidden.
public enum StringComparison {
    public static func lines(ours: String, theirs: String, secrets: [String]) -> [String] {
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
        // Their string holds the secret wherever it holds it (hidden by value, before the window
        // is cut, so no prefix of it shows) and likely their own at the same place as ours.
        let theirsHidden = SecretBytes.hidden(in: b, secrets: secrets)
        var theirsShown = b
        for i in 0..<theirsShown.count where theirsHidden[i] || (i < hidden.count && hidden[i]) {
            theirsShown[i] = UInt8(ascii: "*")
        }
        return ["the strings to sign first differ at byte \(index + 1):",
                "  ours:   …\(window(shown))…", "  theirs: …\(window(theirsShown))…"]
    }
}

/// Which bytes of a text belong to a secret, so hex dumps and comparisons can hide them while
/// keeping every other byte where it was.
public enum SecretBytes {
    public static func hidden(in bytes: [UInt8], secrets: [String]) -> [Bool] {
        var hidden = [Bool](repeating: false, count: bytes.count)
        for secret in secrets where !secret.isEmpty {
            let needle = Array(secret.utf8)
            var i = 0
            while i + needle.count <= bytes.count {
                if bytes[i..<i + needle.count].elementsEqual(needle) {
                    for j in i..<i + needle.count { hidden[j] = true }
                    i += needle.count
                } else {
                    i += 1
                }
            }
        }
        return hidden
    }
}
