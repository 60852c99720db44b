import Dispatch
import Inspect
import JSONText

/// How a stream decode ended.
public struct StreamResult: Sendable {
    public var summary = BatchSummary()
    /// Lines that are not JSON: line number and why.
    public var failures: [(line: Int, message: String)] = []
    public var interrupted = false
}

/// The "decode a stream" use-case: NDJSON, one record a line, in constant memory.
public enum StreamDecoding {
    /// Calls `record` for each decoded record, in order (with its line number).
    public static func records(_ stream: LineStream, decoder: inout PayloadDecoder, cancel: Cancellation,
                               progress: (Int) -> Void, record: (DecodedRecord, Int) -> Void) -> StreamResult {
        var result = StreamResult()
        while let line = stream.next() {
            if cancel.isCancelled { result.interrupted = true; break }
            progress(stream.bytesRead)
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let value: JSONValue
            do {
                value = try JSONParser.parse(bytes: Array(line))
            } catch {
                result.failures.append((stream.lineNumber, "\(error.message) at column \(error.column)"))
                continue
            }
            for decoded in decoder.decode(value) {
                result.summary.add(decoded)
                record(decoded, stream.lineNumber)
            }
        }
        return result
    }

    /// NDJSON to annotated NDJSON on two cores: lines are read in batches, each half of a batch
    /// decoded and serialised by its own decoder, and `emit` called with the output in input order.
    /// A line that is not JSON becomes an `{"error":…}` line.
    public static func annotatedJSON(_ stream: LineStream, decoder: PayloadDecoder, cancel: Cancellation,
                                     progress: (Int) -> Void, emit: ([UInt8]) -> Void) -> StreamResult {
        let workers = 2
        // Batches are bounded in lines and in bytes, so memory stays flat whatever the records' size.
        let batchSize = 2048
        let batchBytes = 1 << 21
        let parts = BatchParts(decoders: (0..<workers).map { _ in decoder.copy() })
        var result = StreamResult()
        var done = false
        while !done {
            if cancel.isCancelled { result.interrupted = true; break }
            var lines: [(Int, [UInt8])] = []
            lines.reserveCapacity(batchSize)
            var bytes = 0
            while lines.count < batchSize, bytes < batchBytes {
                guard let line = stream.next() else { done = true; break }
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                lines.append((stream.lineNumber, Array(line)))
                bytes += line.count
            }
            progress(stream.bytesRead)
            guard !lines.isEmpty else { break }
            let batch = lines
            let share = (batch.count + workers - 1) / workers
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                parts.run(worker: w, lines: batch[min(batch.count, w * share)..<min(batch.count, (w + 1) * share)])
            }
            for slot in parts.slots {
                emit(slot.output)
                result.summary.merge(slot.summary)
                result.failures += slot.failures
            }
        }
        return result
    }
}

/// Per-worker state of a parallel decode: each worker owns one slot (its decoder, with caches of
/// its own, and its output), and no two threads touch the same slot; the caller reads the slots
/// only after `concurrentPerform` has returned.
final class BatchParts: @unchecked Sendable {
    final class Slot {
        var decoder: PayloadDecoder
        var output: [UInt8] = []
        var summary = BatchSummary()
        var failures: [(line: Int, message: String)] = []
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
