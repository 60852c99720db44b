import Adapters
import JSONText
import Shell
import Signing
import Workbench

/// The report of `sign`: what to send, the signature, each step, and a curl command.
enum SignReport {
    static func make(_ prepared: PreparedRequest, explain: Bool, hex: Bool) -> Report {
        let plan = prepared.plan, output = prepared.output
        let url = prepared.url
        let curl = prepared.curl
        var blocks: [Block] = [
            .line([Span(plan.adapter.id, .bold), Span(plan.operation.map { " · " + $0.name } ?? ""),
                   Span("  \(plan.request.method) \(url)", .dim)]),
            .line([Span("signature  ", .cyan), Span(output.signature, .green)]),
        ]
        if !output.headers.isEmpty {
            blocks += [.blank, .heading("Headers to send"), .pairs(output.headers.map { ($0.0, [Span($0.1)]) })]
        }
        if !output.query.isEmpty {
            blocks += [.blank, .heading("Query parameters"), .pairs(output.query.map { ($0.0, [Span($0.1)]) })]
        }
        if explain { blocks += [.blank, .heading("Steps")] + stepBlocks(prepared.steps, hex: hex, secrets: !plan.secrets.isEmpty) }
        blocks += [.blank, .heading("curl"), .indented([curl])]
        var json: [JSONMember] = [
            JSONMember("vendor", .string(plan.adapter.id)),
            JSONMember("operation", plan.operation.map { .string($0.name) } ?? .null),
            JSONMember("method", .string(plan.request.method)), JSONMember("url", .string(url)),
            JSONMember("signature", .string(output.signature)),
            JSONMember("headers", .object(output.headers.map { JSONMember($0.0, .string($0.1)) })),
            JSONMember("query", .object(output.query.map { JSONMember($0.0, .string($0.1)) })),
            JSONMember("steps", .array(prepared.steps.map { step in
                var m: [JSONMember] = [JSONMember("name", .string(step.name)), JSONMember("value", .string(step.masked)),
                                       JSONMember("bytes", .int(step.byteCount))]
                if hex { m.append(JSONMember("hex", .string(step.hexPairs.joined()))) }
                return .object(m)
            })),
            JSONMember("curl", .string(curl)),
        ]
        if let body = plan.request.body { json.append(JSONMember("bodyBytes", .int(body.utf8.count))) }
        return Report(json: .object(json), blocks: blocks)
    }

    /// Each step with its byte count, separators made visible, optionally its bytes.
    static func stepBlocks(_ steps: [ShownStep], hex: Bool, secrets: Bool) -> [Block] {
        var blocks: [Block] = []
        for (i, step) in steps.enumerated() {
            blocks.append(.line([Span(" \(i + 1). ", .dim), Span(step.name, .cyan), Span("  (\(step.byteCount) bytes)", .dim)]))
            blocks.append(.indented(visible(step.masked).split(separator: "\n", omittingEmptySubsequences: false).map { "   " + $0 }))
            if hex { blocks.append(.indented(hexLines(step.hexPairs).map { "   " + $0 })) }
        }
        if secrets {
            blocks.append(.text("   ‹name› stands for a secret credential; byte counts include it. ⏎ newline, ⇥ tab, · trailing space.", .dim))
        }
        return blocks
    }

    /// Newlines, tabs, carriage returns and trailing spaces made visible.
    static func visible(_ text: String) -> String {
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var s = String(line).replacing("\t", with: "⇥").replacing("\r", with: "␍")
            var trailing = 0
            while s.hasSuffix(" ") { s.removeLast(); trailing += 1 }
            lines.append(s + String(repeating: "·", count: trailing))
        }
        return lines.joined(separator: "⏎\n")
    }

    static func hexLines(_ pairs: [String]) -> [String] {
        stride(from: 0, to: pairs.count, by: 32).map { pairs[$0..<min($0 + 32, pairs.count)].joined(separator: " ") }
    }
}
