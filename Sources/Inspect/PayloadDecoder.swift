import Adapters
import JSONText

/// Turns a parsed JSON value into annotated records: one object, an array of records, or a
/// response envelope whose list holds the records.
public struct PayloadDecoder {
    public var adapters: [Adapter]
    public var vendor: String?
    public var kind: String?
    /// When set, only fields whose schema path is one of these (or inside one) are kept.
    public var fieldFilter: [String] = []
    /// Annotators by vendor/kind, built once and reused for every record of a stream.
    private var annotators: [String: RecordAnnotator] = [:]
    private let detector: CompiledDetector

    public init(adapters: [Adapter], vendor: String? = nil, kind: String? = nil) {
        self.adapters = adapters
        self.vendor = vendor
        self.kind = kind
        detector = CompiledDetector(adapters: adapters, vendor: vendor, kind: kind)
    }

    /// The same decoder, its compiled annotators kept, with caches of its own for another thread.
    public func copy() -> PayloadDecoder {
        var fresh = self
        fresh.annotators = annotators.mapValues { $0.forked() }
        return fresh
    }

    /// Compiles the annotator of every payload of every adapter now, so copies start warm (a
    /// server decoding each request with a copy of its own pays for this once).
    public mutating func prepareAll() {
        for adapter in adapters where vendor == nil || adapter.id == vendor {
            for payload in adapter.payloads where annotators[adapter.id + "/" + payload.kind] == nil {
                annotators[adapter.id + "/" + payload.kind] = RecordAnnotator(adapter: adapter, payload: payload, adapters: adapters)
            }
        }
    }

    public mutating func decode(_ value: JSONValue) -> [DecodedRecord] {
        let records = decodeAll(value)
        guard !fieldFilter.isEmpty else { return records }
        return records.map { record in
            var r = record
            r.fields = record.fields.filter { field in
                let schema = JSONPath.schemaPath(field.path)
                return fieldFilter.contains { schema == $0 || schema.hasSuffix("." + $0) || schema.hasPrefix($0 + ".") || schema.hasPrefix($0 + "[]") }
            }
            return r
        }
    }

    /// The first record's one-line summary (see `RecordAnnotator.summary`); nil when no adapter
    /// recognises it. Lists and envelopes are summarised by their first record.
    public mutating func summary(_ value: JSONValue) -> DecodedRecord? {
        var candidate = value
        if case .array(let items) = value, let first = items.first { candidate = first }
        if detector.detect(candidate) == nil, let (_, items) = envelopeList(candidate), let first = items.first { candidate = first }
        guard let detection = detector.detect(candidate) else { return nil }
        let key = detection.adapter.id + "/" + detection.payload.kind
        let annotator = annotators[key] ?? RecordAnnotator(adapter: detection.adapter, payload: detection.payload, adapters: adapters)
        annotators[key] = annotator
        return annotator.summary(candidate, detection: detection)
    }

    private mutating func decodeAll(_ value: JSONValue) -> [DecodedRecord] {
        switch value {
        case .array(let items):
            if items.isEmpty { return [unknown(value, warning: DecodeWarning("empty-body", "", "an empty array: no records"))] }
            return items.enumerated().map { i, item in
                var record = decodeOne(item)
                if !(record.fields.isEmpty) {
                    record.fields = record.fields.map { var f = $0; f.path = "[\(i)]." + f.path; return f }
                    record.warnings = record.warnings.map { DecodeWarning($0.code, "[\(i)]" + ($0.path.isEmpty ? "" : "." + $0.path), $0.message) }
                }
                return record
            }
        case .object:
            let detection = detector.detect(value)
            if let detection { return [annotate(value, detection)] }
            if let (path, items) = envelopeList(value) {
                let inner = items.map { decodeOne($0) }
                if inner.contains(where: { $0.vendor != nil }) {
                    return inner.enumerated().map { i, r in
                        var record = r
                        record.fields = r.fields.map { var f = $0; f.path = "\(path)[\(i)]." + f.path; return f }
                        record.warnings = r.warnings.map { DecodeWarning($0.code, "\(path)[\(i)]" + ($0.path.isEmpty ? "" : "." + $0.path), $0.message) }
                        return record
                    }
                }
            }
            return [decodeOne(value)]
        default:
            return [unknown(value, warning: DecodeWarning("wrong-type", "", "a payload is a JSON object or array, not \(value.typeName)"))]
        }
    }

    public mutating func decodeOne(_ value: JSONValue) -> DecodedRecord {
        guard let detection = detector.detect(value) else {
            return unknown(value, warning: DecodeWarning("unknown-payload", "", noMatchMessage(value)))
        }
        return annotate(value, detection)
    }

    private mutating func annotate(_ value: JSONValue, _ detection: Detection) -> DecodedRecord {
        let key = detection.adapter.id + "/" + detection.payload.kind
        if let annotator = annotators[key] { return annotator.annotate(value, detection: detection) }
        let annotator = RecordAnnotator(adapter: detection.adapter, payload: detection.payload, adapters: adapters)
        annotators[key] = annotator
        return annotator.annotate(value, detection: detection)
    }

    /// The first list of objects one or two levels down (`data.list`, `data.records`, `orderDetailList`).
    func envelopeList(_ value: JSONValue) -> (String, [JSONValue])? {
        guard case .object(let members) = value else { return nil }
        for member in members {
            if case .array(let items) = member.value, let first = items.first, case .object = first { return (member.key, items) }
        }
        for member in members {
            guard case .object(let inner) = member.value else { continue }
            for m in inner {
                if case .array(let items) = m.value, let first = items.first, case .object = first { return (member.key + "." + m.key, items) }
            }
        }
        return nil
    }

    private func noMatchMessage(_ value: JSONValue) -> String {
        var best: (String, Int, Int)?
        for adapter in adapters where vendor == nil || adapter.id == vendor {
            for payload in adapter.payloads where kind == nil || payload.kind == kind {
                let matched = payload.fingerprint.filter { !JSONPath.values(at: $0, in: value).isEmpty }.count
                if matched > (best?.1 ?? 0) { best = (adapter.id + " " + payload.kind, matched, payload.fingerprint.count) }
            }
        }
        guard let best else { return "no adapter recognises this payload" }
        return "no adapter recognises this payload (closest: \(best.0), \(best.1) of \(best.2) fingerprint fields); try --vendor and --kind"
    }

    private func unknown(_ value: JSONValue, warning: DecodeWarning) -> DecodedRecord {
        var fields: [AnnotatedField] = []
        func leaves(_ v: JSONValue, _ path: String) {
            switch v {
            case .object(let members): for m in members { leaves(m.value, path.isEmpty ? m.key : path + "." + m.key) }
            case .array(let items): for (i, item) in items.enumerated() { leaves(item, "\(path)[\(i)]") }
            default: fields.append(AnnotatedField(path: path, value: v, meaning: nil))
            }
        }
        leaves(value, "")
        return DecodedRecord(vendor: nil, kind: nil, title: nil, confidence: "unknown", fingerprintMatched: 0, fingerprintSize: 0,
                             fields: fields, warnings: [warning], transcript: [], timelines: [])
    }
}
