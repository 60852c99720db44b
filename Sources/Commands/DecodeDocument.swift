import Dispatch
import Inspect
import JSONText
import Shell
import TextSupport
import Wire

extension DecodeRun {
    /// One document: JSON, a raw HTTP message or a curl command.
    func decodeDocument(_ input: InputText, decoder: inout PayloadDecoder) throws(CommandError) -> Outcome {
        var body = input.bytes
        var message: HTTPMessage?
        if HTTPParser.looksLikeHTTP(trimmedStart(body)) {
            do { message = try HTTPParser.parse(trimmedStart(body)) } catch {
                throw CommandError(.dataError, "\(input.origin): \(error.message)" + (error.line.map { " (line \($0))" } ?? ""))
            }
            body = message!.body
        } else if CurlParser.looksLikeCurl(input.text) {
            do { message = try CurlParser.parse(input.text) } catch { throw CommandError(.dataError, "\(input.origin): \(error.message)") }
            body = message!.body
        }
        guard body.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
            throw CommandError(.dataError, message == nil ? "\(input.origin) is empty: nothing to decode" : "the \(message!.kind.rawValue) has an empty body")
        }
        let value: JSONValue
        let invalidUTF8: [Int]
        do {
            (value, invalidUTF8) = try JSONParser.parseLenient(bytes: body)
        } catch {
            throw CommandError(.dataError, "\(input.origin) is not valid JSON: \(error.message) at line \(error.line), column \(error.column)",
                               context: JSONCaret.lines(body, offset: error.offset),
                               hint: error.message.contains("truncated") ? "the body looks cut off — was it copied whole?" : nil)
        }
        var records = decoder.decode(value)
        if !invalidUTF8.isEmpty, !records.isEmpty {
            for offset in invalidUTF8 {
                let (line, column) = JSONParser.location(of: offset, in: body)
                records[0].warnings.append(DecodeWarning("invalid-utf8", "", "invalid UTF-8 in a string at line \(line), column \(column) (shown as �)"))
            }
        }
        let verification = message.flatMap { VerifyEngine.verifyIfPossible($0, session: session, records: records) }
        let report = DecodeReport.document(records, message: message, verification: verification, all: context.arguments.has("all"),
                                           valueWidth: session.terminalWidth >= 1000 ? Int.max : 40)
        let warned = records.contains { !$0.warnings.isEmpty } || verification?.verdict == "mismatch"
        return Outcome(status: warned ? .negative : .ok, report: report)
    }

    func trimmedStart(_ bytes: [UInt8]) -> [UInt8] {
        let i = bytes.firstNonBlank()
        return i == 0 ? bytes : Array(bytes[i...])
    }

    /// NDJSON to NDJSON on every core: lines are read in batches, each half of a batch decoded and
    /// serialised by its own decoder, and the output written in input order.
    func streamNDJSONToJSON(_ stream: LineStream, total: Int?, decoder: PayloadDecoder) -> Outcome {
        let workers = 2
        // Batches are bounded in lines and in bytes, so memory stays flat whatever the records' size.
        let batchSize = 2048
        let batchBytes = 1 << 21
        let parts = BatchParts(decoders: Array(repeating: decoder, count: workers))
        var summary = BatchSummary()
        var failedLines: [(Int, String)] = []
        var progress = ProgressLine(total: total)
        var done = false
        while !done, !session.interruptRequested() {
            var lines: [(Int, [UInt8])] = []
            lines.reserveCapacity(batchSize)
            var bytes = 0
            while lines.count < batchSize, bytes < batchBytes {
                guard let line = stream.next() else { done = true; break }
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                lines.append((stream.lineNumber, Array(line)))
                bytes += line.count
            }
            progress.update(stream.bytesRead)
            guard !lines.isEmpty else { break }
            let batch = lines
            let share = (batch.count + workers - 1) / workers
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                parts.run(worker: w, lines: batch[min(batch.count, w * share)..<min(batch.count, (w + 1) * share)])
            }
            for slot in parts.slots {
                session.output.outBytes(slot.output)
                summary.merge(slot.summary)
                failedLines += slot.failures
            }
        }
        progress.finish()
        session.output.out(JSONWriter.compact(["summary": DecodeReport.summaryJSON(summary, failedLines: failedLines)]) + "\n")
        if !failedLines.isEmpty { return Outcome(status: .dataError) }
        return Outcome(status: summary.warningsByCode.isEmpty ? .ok : .negative)
    }

    /// NDJSON, one record a line, in constant memory: rows (or, with --all, whole records) are
    /// printed as they are decoded, then a summary. With --json the two-core path above is used.
    func streamNDJSON(_ stream: LineStream, total: Int?, decoder: inout PayloadDecoder) throws(CommandError) -> Outcome {
        if context.json { return streamNDJSONToJSON(stream, total: total, decoder: decoder) }
        var summary = BatchSummary()
        var failedLines: [(Int, String)] = []
        var shown = 0
        let all = context.arguments.has("all")
        let renderer = HumanRenderer(color: session.color, width: session.terminalWidth)
        var progress = ProgressLine(total: total)
        if !all { session.output.out(renderer.render(DecodeReport.batchHeader())) }
        while let line = stream.next() {
            if session.interruptRequested() { break }
            progress.update(stream.bytesRead)
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let value: JSONValue
            do {
                value = try JSONParser.parse(bytes: Array(line))
            } catch {
                failedLines.append((stream.lineNumber, "\(error.message) at column \(error.column)"))
                continue
            }
            for record in decoder.decode(value) {
                summary.add(record)
                if all {
                    session.output.out(renderer.render(DecodeReport.recordBlocks(record, index: summary.records,
                                                                                 valueWidth: session.terminalWidth >= 1000 ? Int.max : 40)) + "\n")
                } else if shown < DecodeReport.batchRowLimit {
                    shown += 1
                    session.output.out(renderer.render([DecodeReport.batchRow(record, line: stream.lineNumber)]))
                }
            }
        }
        progress.finish()
        if summary.records > shown, !all { session.output.out(renderer.render([.text("… \(summary.records - shown) more records (--all prints each)", .dim)])) }
        session.output.out(renderer.render(DecodeReport.summaryBlocks(summary, failedLines: failedLines)))
        if !failedLines.isEmpty { return Outcome(status: .dataError) }
        return Outcome(status: summary.warningsByCode.isEmpty ? .ok : .negative)
    }
}

/// Per-worker state of a parallel decode: each worker owns one slot (its decoder, and so its
/// caches, and its output), and no two threads touch the same slot.
final class BatchParts: @unchecked Sendable {
    final class Slot {
        var decoder: PayloadDecoder
        var output: [UInt8] = []
        var summary = BatchSummary()
        var failures: [(Int, String)] = []
        init(decoder: PayloadDecoder) { self.decoder = decoder }
    }

    let slots: [Slot]

    init(decoders: [PayloadDecoder]) { slots = decoders.map { Slot(decoder: $0) } }

    func run(worker w: Int, lines: ArraySlice<(Int, [UInt8])>) {
        let slot = slots[w]
        slot.output.removeAll(keepingCapacity: false)
        slot.summary = BatchSummary()
        slot.failures = []
        for (number, line) in lines {
            do {
                let value = try JSONParser.parse(bytes: line)
                for record in slot.decoder.decode(value) {
                    slot.summary.add(record)
                    record.writeJSON(into: &slot.output)
                    slot.output.append(0x0A)
                }
            } catch {
                slot.failures.append((number, "\(error.message) at column \(error.column)"))
                slot.output += Array((JSONWriter.compact(["error": ["line": .int(number), "message": .string(error.message),
                                                                    "column": .int(error.column)]]) + "\n").utf8)
            }
        }
    }
}

/// The line of a JSON text around a byte offset, with a caret under it.
enum JSONCaret {
    static func lines(_ bytes: [UInt8], offset: Int) -> [String] {
        let at = min(offset, bytes.count)
        var start = at
        while start > 0, bytes[start - 1] != 0x0A { start -= 1 }
        var end = at
        while end < bytes.count, bytes[end] != 0x0A { end += 1 }
        // Keep long lines readable: at most 60 characters either side of the spot.
        var line = String(decoding: bytes[start..<end], as: UTF8.self)
        var before = String(decoding: bytes[start..<at], as: UTF8.self)
        if before.count > 60 {
            let cut = before.count - 60
            line = "…" + String(line.dropFirst(cut))
            before = "…" + String(before.dropFirst(cut))
        }
        if line.count > before.count + 60 { line = String(line.prefix(before.count + 60)) + "…" }
        return [line.replacing("\r", with: ""), String(repeating: " ", count: TextWidth.of(before)) + "^"]
    }
}
