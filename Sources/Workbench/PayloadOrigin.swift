import Adapters
import Inspect
import JSONText

/// What an unrecognised JSON document is when it is not a record: a vendor's answer to a request
/// (its response envelope, an error code explained from the vendor's table) or the body of one of
/// the adapters' requests (a pasted `call/list` query).
public struct PayloadOrigin: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// An answer in an operation's response envelope.
        case reply(EnvelopeReading)
        /// The body of an operation's request; `known` of its fields were recognised.
        case requestBody(known: [String], unknown: [String])
    }

    public var vendor: String
    public var operations: [String]
    public var kind: Kind

    /// Every reading that fits, best first; empty when none does. An envelope fits when its code
    /// field is present and the document has nothing but the envelope's own fields (and the
    /// request id vendors add); a request body fits when most of its keys are the operation's.
    public static func candidates(for value: JSONValue, adapters: [Adapter]) -> [PayloadOrigin] {
        guard let members = value.members, !members.isEmpty else { return [] }
        let keys = Set(members.map(\.key))
        var replies: [String: PayloadOrigin] = [:]
        var bodies: [(score: Int, origin: PayloadOrigin)] = []
        for adapter in adapters {
            for operation in adapter.operations {
                if let envelope = operation.response, keys.contains(envelope.codeField.split(separator: ".").first.map(String.init) ?? "") {
                    let own = Set([envelope.codeField, envelope.messageField, envelope.dataField].compactMap { $0?.split(separator: ".").first.map(String.init) })
                    let extra = keys.subtracting(own).filter { !$0.lowercased().contains("requestid") && !$0.lowercased().contains("request_id") }
                    if extra.isEmpty, let reading = read(envelope, in: value, adapter: adapter) {
                        let key = "\(adapter.id) \(envelope.table ?? "") \(reading.code)"
                        if var existing = replies[key] { existing.operations.append(operation.name); replies[key] = existing }
                        else { replies[key] = PayloadOrigin(vendor: adapter.id, operations: [operation.name], kind: .reply(reading)) }
                    }
                }
                let names = Set(operation.body.map { String($0.path.split(separator: ".").first ?? "") })
                guard !names.isEmpty else { continue }
                let known = keys.intersection(names)
                if !known.isEmpty, known.count * 2 > keys.count {
                    bodies.append((known.count * 100 - (keys.count - known.count) * 10 - names.count,
                                   PayloadOrigin(vendor: adapter.id, operations: [operation.name],
                                                 kind: .requestBody(known: members.map(\.key).filter { known.contains($0) },
                                                                    unknown: members.map(\.key).filter { !known.contains($0) }))))
                }
            }
        }
        // A reply whose code the vendor's table explains comes before one it does not.
        let sortedReplies = replies.values.sorted { a, b in
            guard case .reply(let x) = a.kind, case .reply(let y) = b.kind else { return false }
            return (x.meaning != nil ? 0 : 1, a.vendor) < (y.meaning != nil ? 0 : 1, b.vendor)
        }
        let best = bodies.map(\.score).max()
        let bestBodies = bodies.filter { $0.score == best }.map(\.origin)
        return sortedReplies + bestBodies
    }

    static func read(_ envelope: ResponseEnvelope, in value: JSONValue, adapter: Adapter) -> EnvelopeReading? {
        guard let codeValue = JSONPath.value(at: envelope.codeField, in: value) else { return nil }
        let code = codeValue.stringValue ?? JSONWriter.compact(codeValue)
        let message = envelope.messageField.flatMap { JSONPath.value(at: $0, in: value) }.map { $0.stringValue ?? JSONWriter.compact($0) }
        let entry = envelope.table.flatMap { adapter.table(named: $0) }?.entry(code)
        return EnvelopeReading(code: code, message: message, success: code == envelope.success, meaning: entry?.meaning, hint: entry?.hint,
                               table: envelope.table)
    }
}
