import Adapters
import Wire

/// What a plugin's `hooks.mock` changed in the mock's answer; nil fields are kept as they were.
public struct MockAdjustment: Sendable {
    public var status: Int?
    /// Replaces every header of the answer.
    public var headers: [(String, String)]?
    public var body: [UInt8]?
    /// Added to the request's line in the mock's log.
    public var note: String?
}

extension PluginHost {
    /// Runs the adapter's `hooks.mock(request, answer)` on an answer the mock made from the
    /// plugin's data: for what data cannot say. `request` is the message as `signature_of` sees it
    /// plus `operation` (nil when none matched) and `verdict`; `answer` is `{ status, headers, body }`.
    /// The hook returns nil to keep the answer, or any of `status`, `headers`, `body`, `note`.
    public func mockHook(_ vendor: String, request: HTTPMessage, operation: String?, verdict: String,
                         answer: (status: Int, headers: [(String, String)], body: [UInt8])) throws(LuaError) -> MockAdjustment? {
        let result = try callStatelessHook(vendor, "mock", pushArguments: { sandbox in
            _ = PluginHost.push(request, into: sandbox)
            if let operation {
                sandbox.push(string: operation)
                sandbox.setField("operation")
            }
            sandbox.push(string: verdict)
            sandbox.setField("verdict")
            sandbox.pushTable(fields: 3)
            sandbox.push(.integer(Int64(answer.status)))
            sandbox.setField("status")
            sandbox.pushTable(fields: answer.headers.count)
            for (name, value) in answer.headers {
                sandbox.push(string: value)
                sandbox.setField(name, unlessSet: true)
            }
            sandbox.setField("headers")
            sandbox.push(string: String(decoding: answer.body, as: UTF8.self))
            sandbox.setField("body")
            return 2
        }) { (result) throws(LuaError) -> PluginValue in try result.value() }
        guard let result, result != .null else { return nil }
        let shape = "mock must return nil or { status = 100…599, headers = { name = value }, body = \"…\", note = \"…\" }"
        guard case .table(let t) = result else { throw LuaError(.runtime, "\(vendor): \(shape)") }
        var adjustment = MockAdjustment()
        if let status = t["status"] {
            guard case .integer(let n) = status, (100...599).contains(n) else { throw LuaError(.runtime, "\(vendor): \(shape)") }
            adjustment.status = Int(n)
        }
        if let headers = t["headers"] {
            guard case .table(let h) = headers, h.array.isEmpty else { throw LuaError(.runtime, "\(vendor): \(shape)") }
            var pairs: [(String, String)] = []
            for (name, value) in h.fields.sorted(by: { $0.key < $1.key }) {
                guard let text = value.scalarText, PluginHost.isHeader(name: name, value: text) else {
                    throw LuaError(.runtime, "\(vendor): mock returned an invalid header '\(name)'")
                }
                pairs.append((name, text))
            }
            adjustment.headers = pairs
        }
        if let body = t["body"] {
            guard case .string(let text) = body else { throw LuaError(.runtime, "\(vendor): \(shape)") }
            adjustment.body = Array(text.utf8)
        }
        if let note = t["note"] {
            guard let text = note.scalarText else { throw LuaError(.runtime, "\(vendor): \(shape)") }
            adjustment.note = text
        }
        return adjustment
    }

    /// A header a plugin may add: the name a token (RFC 9110), the value without control
    /// characters other than tab (no line breaks to smuggle a header or a body in).
    static func isHeader(name: String, value: String) -> Bool {
        let token = Set("!#$%&'*+-.^_`|~".utf8)
        return !name.isEmpty && name.utf8.allSatisfy { b in (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || token.contains(b) }
            && value.utf8.allSatisfy { b in b == 0x09 || (b >= 0x20 && b != 0x7F) }
    }
}
