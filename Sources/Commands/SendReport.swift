import Adapters
import Inspect
import JSONText
import Shell
import Wire
import Workbench

/// Human and JSON forms of a sent request and its answer.
enum SendReport {
    /// `--dry-run`: what would be sent.
    static func request(_ prepared: PreparedRequest) -> Report {
        var blocks: [Block] = [.line([Span(prepared.http.method ?? "POST", .bold), Span(" " + prepared.url)])]
        blocks.append(.pairs(prepared.http.headers.map { ($0.name, [Span($0.value)]) }))
        if !prepared.http.body.isEmpty { blocks += [.blank, .text(String(decoding: prepared.http.body, as: UTF8.self))] }
        return Report(json: ["request": requestJSON(prepared), "body": .string(String(decoding: prepared.http.body, as: UTF8.self))], blocks: blocks)
    }

    static func requestJSON(_ prepared: PreparedRequest) -> JSONValue {
        ["method": .string(prepared.http.method ?? "POST"), "url": .string(prepared.url),
         "headers": .object(prepared.http.headers.map { JSONMember($0.name, .string($0.value)) })]
    }

    static func exchange(_ r: SendResult, verbose: Bool, valueWidth: Int) -> Report {
        let status = r.response.status ?? 0
        let t = r.timing
        var blocks: [Block] = [
            .line([Span(r.prepared.http.method ?? "POST", .bold), Span(" " + r.prepared.url, .dim)]),
            .line([Span("\(status) \(r.response.reason ?? "")", status < 400 ? .green : .red),
                   Span("  \(ms(t.totalMilliseconds)) (connect \(ms(t.connectMilliseconds)), first byte \(ms(t.firstByteMilliseconds)))", .dim)]),
        ]
        if verbose {
            blocks += [.blank, .heading("Request headers"), .pairs(r.prepared.http.headers.map { ($0.name, [Span($0.value)]) })]
            blocks += [.blank, .heading("Response headers"), .pairs(r.response.headers.map { ($0.name, [Span($0.value)]) })]
        }
        blocks += envelopeBlocks(r)
        if let v = r.verification { blocks += [.blank, .heading("Response signature")] + VerifyReport.blocks(v) }
        if !r.recognisedRecords.isEmpty {
            let document = DecodeReport.document(r.recognisedRecords, message: nil, verification: nil, all: false, valueWidth: valueWidth)
            blocks += [.blank] + document.blocks
        } else if r.envelope == nil, !r.response.body.isEmpty {
            blocks += [.blank, .text(String(decoding: r.response.body.prefix(4096), as: UTF8.self))]
        }
        var json: [JSONMember] = [
            JSONMember("vendor", .string(r.prepared.plan.adapter.id)),
            JSONMember("operation", r.prepared.plan.operation.map { .string($0.name) } ?? .null),
            JSONMember("request", requestJSON(r.prepared)),
            JSONMember("status", .int(status)),
            JSONMember("timing", ["connect_ms": .double(rounded(t.connectMilliseconds)), "first_byte_ms": .double(rounded(t.firstByteMilliseconds)),
                                  "total_ms": .double(rounded(t.totalMilliseconds))]),
            JSONMember("response", ["headers": .object(r.response.headers.map { JSONMember($0.name, .string($0.value)) }),
                                    "body": (try? JSONParser.parse(bytes: r.response.body)) ?? .string(String(decoding: r.response.body, as: UTF8.self))]),
            JSONMember("records", .array(r.recognisedRecords.map(\.json))),
        ]
        if let e = r.envelope, !e.success {
            json.append(JSONMember("error", ["code": .string(e.code), "meaning": e.meaning.map { .string($0) } ?? .null,
                                             "message": e.message.map { .string($0) } ?? .null, "hint": e.hint.map { .string($0) } ?? .null]))
        } else if status >= 400 {
            json.append(JSONMember("error", ["code": .string(String(status)), "meaning": .string(r.response.reason ?? "")]))
        }
        if let v = r.verification { json.append(JSONMember("responseSignature", VerifyReport.json(v))) }
        return Report(json: .object(json), blocks: blocks)
    }

    /// The envelope's verdict: success, or the vendor's error with its meaning and next step.
    static func envelopeBlocks(_ r: SendResult) -> [Block] {
        guard let e = r.envelope else { return [] }
        if e.success { return [.line([Span("✓ ", .green), Span("code \(e.code)"), Span(e.message.map { " — \($0)" } ?? "", .dim)])] }
        var blocks: [Block] = [.line([Span("✗ \(r.prepared.plan.adapter.id) error \(e.code)", .red),
                                      Span(" — " + (e.meaning ?? "not in the adapter's \(e.table ?? "error") table (not documented)"))])]
        if let message = e.message, !message.isEmpty { blocks.append(.line([Span("  the vendor says: ", .dim), Span(message)])) }
        if let hint = e.hint { blocks.append(.line([Span("  next: ", .cyan), Span(hint)])) }
        return blocks
    }

    static func ms(_ value: Double) -> String { value < 10 ? String(format1(value)) + " ms" : "\(Int(value.rounded())) ms" }
    static func format1(_ v: Double) -> String { let tenths = Int((v * 10).rounded()); return "\(tenths / 10).\(tenths % 10)" }
    static func rounded(_ v: Double) -> Double { (v * 10).rounded() / 10 }

}
