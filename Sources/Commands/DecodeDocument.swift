import Inspect
import JSONText
import Shell
import Workbench

extension DecodeRun {
    /// Above this size a top-level list of records is decoded one element at a time, never as one
    /// tree (a 50 MB list held as values took 2 GB).
    static let largeList = 4 << 20

    /// One document: JSON, a raw HTTP message or a curl command.
    func decodeDocument(_ input: InputText, decoder: inout PayloadDecoder) throws(CommandError) -> Outcome {
        if input.bytes.count > DecodeRun.largeList, let elements = JSONArrayElements.ranges(input.bytes) {
            return try decodeList(input, elements: elements, decoder: &decoder)
        }
        let verifier = try session.messageVerifier()
        let store = session.credentialStore
        let document = try CommandError.wrap { () throws(WorkbenchError) in
            try DocumentDecoding.decode(input.bytes, origin: input.origin, decoder: &decoder, verifier: verifier, credentials: store)
        }
        if summaryOnly {
            var summary = BatchSummary(countsWarnings: false)
            for record in document.records { summary.add(record) }
            return printSummary(summary, failures: [])
        }
        let report = DecodeReport.document(document.records, message: document.message, verification: document.verification,
                                           all: context.arguments.has("all"), valueWidth: valueWidth, origins: document.origins)
        return Outcome(status: document.hasProblems ? .negative : .ok, report: report)
    }

    /// A large list, element by element: with --json `{"records":[…]}` written as it goes (one record
    /// a line), otherwise the batch table and summary a list of records gets.
    func decodeList(_ input: InputText, elements: [Range<Int>], decoder: inout PayloadDecoder) throws(CommandError) -> Outcome {
        var summary = BatchSummary(countsWarnings: !summaryOnly)
        var failures: [(Int, String)] = []
        let renderer = HumanRenderer(color: session.color, width: session.terminalWidth)
        var progress = ProgressLine(total: input.bytes.count)
        var first = true
        if context.json, !summaryOnly {
            Array("{\"records\":[\n".utf8).withUnsafeBufferPointer(session.output.outBytes)
        } else if !context.arguments.has("all"), !summaryOnly {
            session.output.out(renderer.render(DecodeReport.batchHeader()))
        }
        for (index, range) in elements.enumerated() {
            if session.cancellation.isCancelled {
                throw CommandError(.interrupted, "interrupted after \(summary.records) records (element \(index + 1) of \(elements.count))")
            }
            if index % 256 == 0 { progress.update(range.lowerBound) }
            let value: JSONValue
            do { value = try JSONParser.parse(bytes: Array(input.bytes[range])) } catch {
                let (line, column) = JSONParser.location(of: range.lowerBound + error.offset, in: input.bytes)
                failures.append((index + 1, "\(error.message) at line \(line), column \(column)"))
                continue
            }
            for record in decoder.decode(value) {
                summary.add(record)
                if summaryOnly { continue }
                if context.json {
                    var bytes: [UInt8] = first ? [] : Array(",\n".utf8)
                    record.writeJSON(into: &bytes)
                    bytes.withUnsafeBufferPointer(session.output.outBytes)
                    first = false
                } else if context.arguments.has("all") {
                    session.output.out(renderer.render(DecodeReport.recordBlocks(record, index: summary.records, valueWidth: valueWidth)) + "\n")
                } else if summary.records <= DecodeReport.batchRowLimit {
                    session.output.out(renderer.render([DecodeReport.batchRow(record, line: nil, index: summary.records - 1)]))
                }
            }
        }
        progress.finish()
        if summaryOnly { return printSummary(summary, failures: failures) }
        if context.json {
            session.output.out("\n],\"summary\":" + JSONWriter.compact(DecodeReport.summaryJSON(summary, failedLines: failures)) + "}\n")
        } else {
            if summary.records > DecodeReport.batchRowLimit, !context.arguments.has("all") {
                session.output.out(renderer.render([.text("… \(summary.records - DecodeReport.batchRowLimit) more records (--all prints each)", .dim)]))
            }
            session.output.out(renderer.render(DecodeReport.summaryBlocks(summary, failedLines: failures)))
        }
        if !failures.isEmpty { return Outcome(status: .dataError) }
        return Outcome(status: summary.warningsByCode.isEmpty ? .ok : .negative)
    }

    /// `--summary`: `{"summary":…}` or the summary blocks.
    func printSummary(_ summary: BatchSummary, failures: [(Int, String)]) -> Outcome {
        if context.json {
            session.output.out(JSONWriter.compact(["summary": DecodeReport.summaryJSON(summary, failedLines: failures, fieldsChecked: false)]) + "\n")
        } else {
            let renderer = HumanRenderer(color: session.color, width: session.terminalWidth)
            session.output.out(renderer.render(DecodeReport.summaryBlocks(summary, failedLines: failures)))
        }
        return Outcome(status: failures.isEmpty ? .ok : .dataError)
    }

    /// Off a terminal values are printed whole; on one they are cut to a column.
    var valueWidth: Int { session.terminalWidth >= 1000 ? Int.max : 40 }

    /// NDJSON, one record a line, in constant memory: rows (or, with --all, whole records) are
    /// printed as they are decoded, then a summary; with --json, annotated NDJSON on two cores.
    func streamNDJSON(_ stream: LineStream, total: Int?, decoder: inout PayloadDecoder) throws(CommandError) -> Outcome {
        var progress = ProgressLine(total: total)
        let result: StreamResult
        if context.json || summaryOnly {
            result = StreamDecoding.parallel(stream, decoder: decoder, output: summaryOnly ? .summaryOnly : .annotated,
                                             cancel: session.cancellation, progress: { progress.update($0) }, emit: session.output.outBytes)
            progress.finish()
            if summaryOnly {
                _ = printSummary(result.summary, failures: result.failures.map { ($0.line, $0.message) })
            } else {
                session.output.out(JSONWriter.compact(["summary": DecodeReport.summaryJSON(result.summary, failedLines: result.failures.map { ($0.line, $0.message) })]) + "\n")
            }
        } else {
            let all = context.arguments.has("all")
            let renderer = HumanRenderer(color: session.color, width: session.terminalWidth)
            if !all { session.output.out(renderer.render(DecodeReport.batchHeader())) }
            var shown = 0
            var index = 0
            // Every record is printed with --all; otherwise the first rows are, and the rest of the
            // stream is only counted, on every core.
            var first = StreamDecoding.records(stream, decoder: &decoder, cancel: session.cancellation,
                                               limit: all ? .max : DecodeReport.batchRowLimit,
                                               progress: { progress.update($0) }) { record, line in
                index += 1
                if all {
                    session.output.out(renderer.render(DecodeReport.recordBlocks(record, index: index, valueWidth: valueWidth)) + "\n")
                } else if shown < DecodeReport.batchRowLimit {
                    shown += 1
                    session.output.out(renderer.render([DecodeReport.batchRow(record, line: line)]))
                }
            }
            if !all, !first.interrupted {
                let rest = StreamDecoding.parallel(stream, decoder: decoder, output: .checked, cancel: session.cancellation,
                                                   progress: { progress.update($0) }, emit: { _ in })
                first.summary.merge(rest.summary)
                first.failures += rest.failures
                first.interrupted = rest.interrupted
            }
            result = first
            progress.finish()
            if result.summary.records > shown, !all {
                session.output.out(renderer.render([.text("… \(result.summary.records - shown) more records (--all prints each)", .dim)]))
            }
            session.output.out(renderer.render(DecodeReport.summaryBlocks(result.summary, failedLines: result.failures.map { ($0.line, $0.message) })))
        }
        if stream.overlong {
            throw CommandError(.dataError, "line \(stream.lineNumber + 1) is longer than \(LineStream.maxLine >> 20) MiB: stopped there",
                               hint: "is this really one record a line?")
        }
        if result.interrupted {
            throw CommandError(.interrupted, "interrupted after \(result.summary.records) records (line \(stream.lineNumber))")
        }
        if !result.failures.isEmpty { return Outcome(status: .dataError) }
        return Outcome(status: result.summary.warningsByCode.isEmpty ? .ok : .negative)
    }
}
