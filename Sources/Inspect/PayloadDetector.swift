import Adapters
import JSONText

/// Which vendor and payload kind a JSON record is, by the fingerprint fields present.
public struct Detection: Equatable, Sendable {
    /// The adapter and payload, shared by every record detected as them: copying a detection
    /// copies one reference, not the few dozen an adapter holds (that was 3% of `decode`).
    final class Source: Sendable {
        let adapter: Adapter
        let payload: PayloadSchema
        init(adapter: Adapter, payload: PayloadSchema) {
            self.adapter = adapter
            self.payload = payload
        }
    }
    let source: Source
    public var adapter: Adapter { source.adapter }
    public var payload: PayloadSchema { source.payload }
    public var matched: Int
    public var confidence: String

    public init(adapter: Adapter, payload: PayloadSchema, matched: Int, confidence: String) {
        self.init(source: Source(adapter: adapter, payload: payload), matched: matched, confidence: confidence)
    }

    init(source: Source, matched: Int, confidence: String) {
        self.source = source
        self.matched = matched
        self.confidence = confidence
    }

    public static func == (a: Detection, b: Detection) -> Bool {
        (a.source === b.source || (a.adapter == b.adapter && a.payload == b.payload)) && a.matched == b.matched && a.confidence == b.confidence
    }

    public var score: Double { Double(matched) / Double(max(1, payload.fingerprint.count)) }
}

/// Fingerprints compiled once for many records: top-level fingerprint keys map straight to the
/// candidates they count for, so a record is scored in one pass over its members.
public struct CompiledDetector {
    struct Candidate {
        var source: Detection.Source
        var size: Int
        var nested: [String]
    }

    let adapters: [Adapter]
    let candidates: [Candidate]
    let byKey: [String: [Int]]
    let forcedKind: Bool
    /// `byKey` for counting straight from bytes: a key's number, and the candidates of each number.
    let keyNumbers: ByteKeyTable
    let candidatesOfKey: [[Int]]
    /// The top-level members nested fingerprint paths start at (`JSONPath.values` reads only these).
    let nestedKeys: ByteKeyTable

    public init(adapters: [Adapter], vendor: String? = nil, kind: String? = nil) {
        self.adapters = adapters
        var candidates: [Candidate] = []
        var byKey: [String: [Int]] = [:]
        for adapter in adapters where vendor == nil || adapter.id == vendor {
            for payload in adapter.payloads where kind == nil || payload.kind == kind {
                let index = candidates.count
                var nested: [String] = []
                for path in payload.fingerprint {
                    if path.contains(".") || path.contains("[") { nested.append(path) } else { byKey[path, default: []].append(index) }
                }
                candidates.append(Candidate(source: Detection.Source(adapter: adapter, payload: payload), size: payload.fingerprint.count, nested: nested))
            }
        }
        self.candidates = candidates
        self.byKey = byKey
        forcedKind = kind != nil && candidates.count == 1
        let keys = Array(byKey.keys)
        keyNumbers = ByteKeyTable(keys.enumerated().map { ($0.element, $0.offset) })
        candidatesOfKey = keys.map { byKey[$0]! }
        nestedKeys = ByteKeyTable(Set(candidates.flatMap(\.nested).map(RecordAnnotator.topLevelKey)).map { ($0, 0) })
    }

    /// The best candidate, or nil when no fingerprint is at least 60% present.
    public func detect(_ record: JSONValue) -> Detection? {
        guard !candidates.isEmpty else { return nil }
        var counts = [Int](repeating: 0, count: candidates.count)
        if case .object(let members) = record {
            var seen = Set<String>(minimumCapacity: members.count)
            for m in members {
                guard let hits = byKey[m.key], seen.insert(m.key).inserted else { continue }
                for i in hits { counts[i] += 1 }
            }
        }
        return detect(counts: counts, nestedRoot: record)?.detection
    }

    /// The best candidate given the counts of top-level fingerprint keys present (each key
    /// counted once) and a record holding at least the members of `nestedKeys`.
    func detect(counts topLevel: [Int], nestedRoot record: JSONValue) -> (candidate: Int, detection: Detection)? {
        guard !candidates.isEmpty else { return nil }
        var counts = topLevel
        for (i, c) in candidates.enumerated() {
            for path in c.nested where !JSONPath.values(at: path, in: record).isEmpty { counts[i] += 1 }
        }
        var best = -1, runnerUp = -1
        func better(_ i: Int, than j: Int) -> Bool {
            guard j >= 0 else { return true }
            let si = Double(counts[i]) / Double(candidates[i].size), sj = Double(counts[j]) / Double(candidates[j].size)
            return si != sj ? si > sj : counts[i] > counts[j]
        }
        for i in candidates.indices {
            if better(i, than: best) { runnerUp = best; best = i } else if better(i, than: runnerUp) { runnerUp = i }
        }
        let score = Double(counts[best]) / Double(candidates[best].size)
        guard score >= 0.6 || forcedKind else { return nil }
        let runnerScore = runnerUp >= 0 ? Double(counts[runnerUp]) / Double(candidates[runnerUp].size) : 0
        let confidence = score == 1 && runnerScore < 1 ? "certain" : score >= 0.8 ? "likely" : forcedKind ? "forced" : "possible"
        return (best, Detection(source: candidates[best].source, matched: counts[best], confidence: confidence))
    }
}

public enum PayloadDetector {
    public static func detect(_ record: JSONValue, adapters: [Adapter], vendor: String? = nil, kind: String? = nil) -> Detection? {
        CompiledDetector(adapters: adapters, vendor: vendor, kind: kind).detect(record)
    }
}
