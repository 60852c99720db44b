import Adapters
import JSONText

/// Which vendor and payload kind a JSON record is, by the fingerprint fields present.
public struct Detection: Equatable, Sendable {
    public var adapter: Adapter
    public var payload: PayloadSchema
    public var matched: Int
    public var confidence: String

    public var score: Double { Double(matched) / Double(max(1, payload.fingerprint.count)) }
}

public enum PayloadDetector {
    /// The best candidate among `adapters` (optionally forced to a vendor and/or kind), or nil
    /// when no fingerprint is at least 60% present.
    public static func detect(_ record: JSONValue, adapters: [Adapter], vendor: String? = nil, kind: String? = nil) -> Detection? {
        var candidates: [Detection] = []
        for adapter in adapters where vendor == nil || adapter.id == vendor {
            for payload in adapter.payloads where kind == nil || payload.kind == kind {
                let matched = payload.fingerprint.filter { !JSONPath.values(at: $0, in: record).isEmpty }.count
                candidates.append(Detection(adapter: adapter, payload: payload, matched: matched, confidence: ""))
            }
        }
        candidates.sort { a, b in a.score != b.score ? a.score > b.score : a.matched > b.matched }
        guard var best = candidates.first else { return nil }
        let forced = kind != nil && candidates.count == 1
        guard best.score >= 0.6 || forced else { return nil }
        let runnerUp = candidates.dropFirst().first
        if best.score == 1, runnerUp.map({ $0.score < 1 }) ?? true {
            best.confidence = "certain"
        } else if best.score >= 0.8 {
            best.confidence = "likely"
        } else {
            best.confidence = forced ? "forced" : "possible"
        }
        return best
    }
}
