import Inspect
import Signing
import JSONText
import Shell
import Workbench
import TextSupport
import Wire

/// Human and JSON forms of decoded records, batches and summaries.
enum DecodeReport {
    static let batchRowLimit = 50

    /// `valueWidth` cuts long values on a terminal; off a terminal they are printed whole.
    static func document(_ records: [DecodedRecord], message: HTTPMessage?, verification: Verification?, all: Bool,
                         valueWidth: Int = 40, origins: [PayloadOrigin] = []) -> Report {
        var blocks: [Block] = []
        if let message {
            let start = message.kind == .request ? "\(message.method ?? "?") \(message.target ?? "")" : "HTTP \(message.status ?? 0)"
            blocks.append(.line([Span(start, .bold), Span("  \(message.headers.count) headers, \(message.body.count) body bytes", .dim)]))
            for note in message.notes { blocks.append(.line([Span("note: ", .yellow), Span(note)])) }
        }
        if let verification { blocks += VerifyReport.blocks(verification) + [.blank] }
        if records.count > 5, !all {
            var summary = BatchSummary()
            blocks += batchHeader()
            for (i, r) in records.enumerated() {
                summary.add(r)
                if i < batchRowLimit { blocks.append(batchRow(r, line: nil, index: i)) }
            }
            if records.count > batchRowLimit {
                blocks.append(.text("… \(records.count - batchRowLimit) more records (--all prints each)", .dim))
            }
            blocks += summaryBlocks(summary, failedLines: [])
        } else if !origins.isEmpty, records.count == 1 {
            blocks += originBlocks(origins)
            var record = records[0]
            record.warnings.removeAll { $0.code == "unknown-payload" }
            blocks += recordBlocks(record, index: nil, valueWidth: valueWidth).dropFirst()
        } else {
            for (i, record) in records.enumerated() {
                if i > 0 { blocks.append(.blank) }
                blocks += recordBlocks(record, index: records.count > 1 ? i + 1 : nil, valueWidth: valueWidth)
            }
        }
        var json: [JSONMember] = [JSONMember("records", .array(records.map(\.json)))]
        if !origins.isEmpty { json.append(JSONMember("origins", .array(origins.map(originJSON)))) }
        if let message {
            json.append(JSONMember("message", [
                "kind": .string(message.kind.rawValue), "method": message.method.map { .string($0) } ?? .null,
                "target": message.target.map { .string($0) } ?? .null, "status": message.status.map { .int($0) } ?? .null,
                "headers": .object(message.headers.map { JSONMember($0.name, .string($0.value)) }),
            ]))
        }
        if let verification { json.append(JSONMember("signature", VerifyReport.json(verification))) }
        return Report(json: .object(json), blocks: blocks)
    }

    /// "nxlink · reply to call/list — error 1003: invalid signature", with the table's hint; or
    /// "nxlink · request body of call/list". More than one reading fits: each is listed.
    static func originBlocks(_ origins: [PayloadOrigin]) -> [Block] {
        var blocks: [Block] = []
        for origin in origins {
            let operations = origin.operations.count > 3 ? origin.operations.prefix(3).joined(separator: ", ") + ", …" : origin.operations.joined(separator: ", ")
            switch origin.kind {
            case .reply(let r):
                let verdict = r.success ? "success (\(r.code))" : "error \(r.code): \(r.meaning ?? r.message.map { "“\($0)” (the code is not in \(r.table ?? "the vendor's table"))" } ?? "not documented")"
                blocks.append(.line([Span("\(origin.vendor) · reply", .bold), Span(" to \(operations) — "), Span(verdict, r.success ? .green : .red)]))
                if let hint = r.hint { blocks.append(.line([Span("  → " + hint, .dim)])) }
            case .requestBody(let known, let unknown):
                blocks.append(.line([Span("\(origin.vendor) · request body", .bold), Span(" of \(operations)"),
                                     Span(unknown.isEmpty ? "" : "  (not its fields: \(unknown.joined(separator: ", ")))", .yellow)]))
                _ = known
            }
        }
        return blocks
    }

    static func originJSON(_ origin: PayloadOrigin) -> JSONValue {
        var members = [JSONMember("vendor", .string(origin.vendor)), JSONMember("operations", .array(origin.operations.map { .string($0) }))]
        switch origin.kind {
        case .reply(let r):
            members += [JSONMember("kind", "reply"), JSONMember("code", .string(r.code)), JSONMember("success", .bool(r.success)),
                        JSONMember("meaning", r.meaning.map { .string($0) } ?? .null), JSONMember("hint", r.hint.map { .string($0) } ?? .null)]
        case .requestBody(let known, let unknown):
            members += [JSONMember("kind", "request-body"), JSONMember("fields", .array(known.map { .string($0) })),
                        JSONMember("unknown_fields", .array(unknown.map { .string($0) }))]
        }
        return .object(members)
    }

    static func recordBlocks(_ r: DecodedRecord, index: Int?, valueWidth: Int = 40) -> [Block] {
        var blocks: [Block] = []
        let number = index.map { "#\($0) " } ?? ""
        if let vendor = r.vendor, let kind = r.kind {
            blocks.append(.line([Span(number, .dim), Span("\(vendor) · \(kind)", .bold), Span(" — \(r.title ?? "")"),
                                 Span("  [\(r.confidence): \(r.fingerprintMatched)/\(r.fingerprintSize) fingerprint fields]", .dim)]))
        } else {
            blocks.append(.line([Span(number, .dim), Span("unrecognised payload", .yellow)]))
        }
        for t in r.timelines {
            blocks.append(.line([Span("  " + (t.path.isEmpty ? "" : t.path + ": "), .dim), Span(t.picture, .magenta)]))
        }
        let rows = r.fields.map { f -> [Span] in
            // A note from the vendor's table (a known conflict) goes beside the meaning it qualifies.
            [Span(f.path, .cyan), Span(TextWidth.truncate(valueText(f.value), to: valueWidth)),
             Span((f.meaning ?? "") + (f.note.map { " → " + $0 } ?? ""), .dim)]
        }
        if !rows.isEmpty { blocks.append(.table(Table(headers: [], rows: rows))) }
        if !r.transcript.isEmpty {
            blocks.append(.heading("Transcript"))
            // Turns are grouped by the array that holds them (one per call when a record has several).
            func owner(_ path: String) -> String { String(path[..<(path.lastIndex(of: "[") ?? path.endIndex)]) }
            let several = Set(r.transcript.map { owner($0.path) }).count > 1
            let offsetWidth = r.transcript.compactMap { $0.offset.map { $0.count + 3 } }.max() ?? 0
            var group = ""
            for turn in r.transcript {
                if several, owner(turn.path) != group { blocks.append(.text("  " + owner(turn.path), .dim)) }
                group = owner(turn.path)
                let offset = turn.offset.map { "[\($0)] " } ?? (offsetWidth > 0 ? String(repeating: " ", count: offsetWidth) : "")
                blocks.append(.line([Span("  " + offset, .dim), Span(TextWidth.pad(turn.speaker ?? "?", to: 6), .yellow),
                                     Span("  " + turn.text)]))
            }
        }
        if !r.warnings.isEmpty {
            blocks.append(.heading("Warnings (\(r.warnings.count))"))
            for w in r.warnings {
                blocks.append(.line([Span("  ⚠ ", .yellow), Span(w.code, .yellow), Span("  " + (w.path.isEmpty ? "" : w.path + ": "), .cyan), Span(w.message)]))
            }
        }
        return blocks
    }

    static func valueText(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return JSONWriter.quote(s)
        default: return JSONWriter.compact(value)
        }
    }

    static func batchHeader() -> [Block] {
        [.line([Span(TextWidth.pad("#", to: 6), .bold), Span(TextWidth.pad("vendor · kind", to: 38), .bold), Span(TextWidth.pad("result", to: 34), .bold),
                Span(TextWidth.pad("duration", to: 10), .bold), Span("warnings", .bold)])]
    }

    static func batchRow(_ r: DecodedRecord, line: Int?, index: Int = 0) -> Block {
        let kind = r.vendor.map { "\($0) · \(r.kind ?? "")" } ?? "unrecognised"
        let result = r.result.map { $0 + (r.resultMeaning.map { " " + $0 } ?? "") } ?? ""
        let duration = r.durationSeconds.map { TimeFormat.duration(seconds: $0) } ?? ""
        let warnings = r.warnings.isEmpty ? "" : "\(r.warnings.count): " + Set(r.warnings.map(\.code)).sorted().joined(separator: ", ")
        return .line([Span(TextWidth.pad(String(line ?? index + 1), to: 6), .dim), Span(TextWidth.pad(TextWidth.truncate(kind, to: 36), to: 38), .cyan),
                      Span(TextWidth.pad(TextWidth.truncate(result, to: 32), to: 34)), Span(TextWidth.pad(duration, to: 10)),
                      Span(warnings, r.warnings.isEmpty ? .plain : .yellow)])
    }

    static func summaryBlocks(_ s: BatchSummary, failedLines: [(Int, String)]) -> [Block] {
        var blocks: [Block] = [.blank, .heading("Summary: \(s.records) records" + (s.unrecognised > 0 ? ", \(s.unrecognised) unrecognised" : ""))]
        if !s.kinds.isEmpty {
            blocks.append(.pairs(s.kinds.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { ($0.key, [Span(String($0.value))]) }))
        }
        if !s.byResult.isEmpty {
            blocks.append(.heading("Results"))
            let top = s.byResult.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }.prefix(12)
            let maxCount = top.first?.value.count ?? 1
            let width = TextWidth.of(top.map { $0.key + " " + ($0.value.meaning ?? "") }.max { TextWidth.of($0) < TextWidth.of($1) } ?? "")
            for (code, entry) in top {
                let label = TextWidth.pad(TextWidth.truncate(code + " " + (entry.meaning ?? ""), to: 40), to: min(40, width) + 2)
                let bar = String(repeating: "█", count: max(1, entry.count * 30 / maxCount))
                let percent = Double(entry.count) * 100 / Double(max(1, s.records))
                blocks.append(.line([Span("  " + label), Span(bar, .green), Span(" \(entry.count) (\(format(percent))%)", .dim)]))
            }
            if s.byResult.count > 12 { blocks.append(.text("  … \(s.byResult.count - 12) more results", .dim)) }
        }
        var figures: [(String, [Span])] = []
        if let rate = s.answerRate { figures.append(("answer rate", [Span("\(format(rate * 100))% (\(s.answered) of \(s.answerKnown))")])) }
        if let q = s.percentiles([50, 90, 99, 100]) {
            figures.append(("duration", [Span("p50 \(TimeFormat.duration(seconds: q[0])) · p90 \(TimeFormat.duration(seconds: q[1])) · p99 \(TimeFormat.duration(seconds: q[2])) · max \(TimeFormat.duration(seconds: q[3]))")]))
        }
        if !s.warningsByCode.isEmpty {
            figures.append(("warnings", [Span(s.warningsByCode.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", "), .yellow)]))
        }
        if !failedLines.isEmpty {
            figures.append(("unparsable", [Span("\(failedLines.count) lines; first: line \(failedLines[0].0): \(failedLines[0].1)", .red)]))
        }
        if !figures.isEmpty { blocks.append(.pairs(figures)) }
        return blocks
    }

    /// `fieldsChecked` false (`--summary`): no "warnings" member, as none were looked for.
    static func summaryJSON(_ s: BatchSummary, failedLines: [(Int, String)], fieldsChecked: Bool = true) -> JSONValue {
        var members: [JSONMember] = [
            JSONMember("records", .int(s.records)), JSONMember("unrecognised", .int(s.unrecognised)),
            JSONMember("results", .object(s.byResult.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }.map {
                JSONMember($0.key, ["count": .int($0.value.count), "meaning": $0.value.meaning.map { .string($0) } ?? .null])
            })),
            JSONMember("unparsableLines", .array(failedLines.map { ["line": .int($0.0), "message": .string($0.1)] })),
        ]
        if fieldsChecked {
            members.insert(JSONMember("warnings", .object(s.warningsByCode.sorted { $0.key < $1.key }.map { JSONMember($0.key, .int($0.value)) })), at: 3)
        }
        if let rate = s.answerRate { members.append(JSONMember("answerRate", .double(rate))) }
        if let q = s.percentiles([50, 90, 99, 100]) {
            members.append(JSONMember("durationSeconds", ["p50": .int(q[0]), "p90": .int(q[1]), "p99": .int(q[2]), "max": .int(q[3])]))
        }
        return .object(members)
    }

    static func format(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
