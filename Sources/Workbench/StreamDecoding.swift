import Dispatch
import Glibc
import Inspect
import JSONText
import Synchronization

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
    /// With `limit`, stops after the line that brings the count of records to it (the rest of
    /// the stream is left to read).
    public static func records(_ stream: LineStream, decoder: inout PayloadDecoder, cancel: Cancellation, limit: Int = .max,
                               progress: (Int) -> Void, record: (DecodedRecord, Int) -> Void) -> StreamResult {
        var result = StreamResult()
        while result.summary.records < limit, let line = stream.next() {
            if cancel.isCancelled { result.interrupted = true; break }
            progress(stream.bytesRead)
            if isBlank(line) { continue }
            let value: JSONValue
            do {
                value = try JSONParser.parse(bytes: line)
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

    /// What a parallel stream decode writes.
    public enum Output: Sendable {
        /// Annotated NDJSON, one record a line.
        case annotated
        /// Nothing: only the summary's counts (results, durations, answer rate; no field checked).
        case summaryOnly
        /// Nothing: the summary of fully checked records (warnings counted).
        case checked
    }

    /// NDJSON decoded on every core: lines are read in batches bounded in bytes, each worker takes
    /// a contiguous share of a batch with decoders of its own, and `emit` is called with the output
    /// in input order. A line that is not JSON becomes an `{"error":…}` line.
    public static func parallel(_ stream: LineStream, decoder: PayloadDecoder, output: Output = .annotated, cancel: Cancellation,
                                progress: (Int) -> Void, emit: (UnsafeBufferPointer<UInt8>) -> Void) -> StreamResult {
        let workers = max(1, min(16, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        // Memory stays flat whatever the records' size: a batch holds at most this many bytes
        // (a longer line is a batch of its own), and at most two batches are in flight.
        let batchBytes = workers << 19
        let fast = decoder.fieldFilter.isEmpty ? LineAnnotator(adapters: decoder.adapters, vendor: decoder.vendor, kind: decoder.kind) : nil
        // Two sets of worker slots: while the workers decode one batch, this thread writes the
        // previous batch's output and reads the next batch.
        let lanes = fast.map { Lanes(first: $0, count: workers) }
        let parts = [BatchParts(workers: workers, decoder: decoder, lanes: lanes, output: output),
                     BatchParts(workers: workers, decoder: decoder, lanes: lanes, output: output)]
        var result = StreamResult()
        var running: (parts: BatchParts, shares: Int, group: DispatchGroup)?
        var turn = 0
        func finish(_ batch: (parts: BatchParts, shares: Int, group: DispatchGroup)) {
            batch.group.wait()
            for slot in batch.parts.slots.prefix(batch.shares) {
                if !slot.output.isEmpty { emit(slot.output.bytes) }
                result.summary.merge(slot.summary)
                result.failures += slot.failures
            }
        }
        // Two batches, reused in turn like the parts: the one read now was finished with two turns ago.
        let batches = [Batch(capacity: batchBytes), Batch(capacity: batchBytes)]
        var done = false
        while !done {
            if cancel.isCancelled { result.interrupted = true; break }
            let batch = batches[turn]
            batch.removeAll()
            while batch.bytes.count < batchBytes {
                let read = stream.withNextLine { line in
                    if !isBlank(line) { batch.add(line, number: stream.lineNumber) }
                }
                if read == nil { done = true; break }
            }
            progress(stream.bytesRead)
            guard !batch.lines.isEmpty else { break }
            // A batch of a few lines (a pasted record) is not worth a second thread.
            let shares = batch.shares(batch.bytes.count < StreamDecoding.parallelBytes ? 1 : workers)
            let set = parts[turn]
            turn ^= 1
            let group = DispatchGroup()
            for (w, share) in shares.enumerated() {
                DispatchQueue.global().async(group: group) { set.run(worker: w, batch: batch, lines: share) }
            }
            if let previous = running { finish(previous) }
            running = (set, shares.count, group)
        }
        if let last = running { finish(last) }
        return result
    }

    /// The size from which a batch is split between threads.
    static let parallelBytes = 1 << 16

    /// A line of nothing but spaces and tabs, skipped (not a record, not an error).
    static func isBlank<Line: Collection<UInt8>>(_ line: Line) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }
}

/// The line annotators of a parallel decode, one per worker lane, made when a lane first has
/// work: lane 0 is the caller's, the others share nothing with it or each other
/// (`LineAnnotator.unshared`). The slots of a lane (one per set of parts) take copies of it.
final class Lanes: Sendable {
    /// Only used under the lock, to make copies.
    private struct Made: @unchecked Sendable {
        var lanes: [LineAnnotator?]
    }
    private let made: Mutex<Made>

    init(first: LineAnnotator, count: Int) {
        made = Mutex(Made(lanes: [first] + Array(repeating: nil, count: max(0, count - 1))))
    }

    /// A copy of lane `w`'s annotator.
    func annotator(_ w: Int) -> LineAnnotator {
        made.withLock { made in
            if made.lanes[w] == nil { made.lanes[w] = made.lanes[0]!.unshared() }
            return made.lanes[w]!.copy()
        }
    }
}

/// Lines of a stream held in one buffer, with their line numbers.
final class Batch: @unchecked Sendable {
    // Filled by the reading thread, then only read by the workers: no access is checked at run time.
    @exclusivity(unchecked) var bytes: [UInt8] = []
    @exclusivity(unchecked) var lines: [(number: Int, range: Range<Int>)] = []

    /// Room for `capacity` bytes (and the one line that may run past it) from the start.
    init(capacity: Int = 0) { bytes.reserveCapacity(capacity + (capacity >> 2)) }

    func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        lines.removeAll(keepingCapacity: true)
    }

    func add(_ line: UnsafeBufferPointer<UInt8>, number: Int) {
        let start = bytes.count
        bytes.append(contentsOf: line)
        lines.append((number, start..<bytes.count))
    }

    /// Contiguous ranges of lines with about the same number of bytes each (at most `workers`).
    func shares(_ workers: Int) -> [Range<Int>] {
        let target = max(1, bytes.count / workers)
        var shares: [Range<Int>] = []
        var from = 0
        var size = 0
        for (i, line) in lines.enumerated() {
            size += line.range.count
            if size >= target, shares.count < workers - 1 {
                shares.append(from..<(i + 1))
                from = i + 1
                size = 0
            }
        }
        if from < lines.count { shares.append(from..<lines.count) }
        return shares
    }
}

/// Per-worker state of a parallel decode: each worker owns one slot (its decoders, with caches of
/// their own, and its output), and no two threads touch the same slot; the caller reads the slots
/// only after `concurrentPerform` has returned.
final class BatchParts: @unchecked Sendable {
    final class Slot {
        var decoder: PayloadDecoder
        /// This worker lane's line annotator, taken from `lanes` when the slot first has work.
        var fast: LineAnnotator?
        var output = OutputBuffer()
        var summary = BatchSummary()
        var failures: [(line: Int, message: String)] = []
        init(decoder: PayloadDecoder) { self.decoder = decoder }
        deinit { output.free() }
    }

    let slots: [Slot]
    let mode: StreamDecoding.Output
    let lanes: Lanes?

    init(workers: Int, decoder: PayloadDecoder, lanes: Lanes?, output: StreamDecoding.Output) {
        slots = (0..<workers).map { _ in Slot(decoder: decoder.copy()) }
        self.lanes = lanes
        mode = output
    }

    func run(worker w: Int, batch: Batch, lines: Range<Int>) {
        let slot = slots[w]
        if slot.fast == nil { slot.fast = lanes?.annotator(w) }
        // The slot's parts held in locals for the loop: reached through the class, each record
        // copied the line annotator out and back.
        var output = slot.output
        var fast = slot.fast
        var summary = BatchSummary(countsWarnings: mode != .summaryOnly)
        slot.fast = nil
        defer {
            slot.output = output
            slot.fast = fast
            slot.summary = summary
        }
        output.removeAll()
        // Annotated records are three to five times their input: room for them from the start.
        if mode == .annotated, let first = lines.first, let last = lines.last {
            output.reserve(4 * (batch.lines[last].range.upperBound - batch.lines[first].range.lowerBound))
        }
        slot.failures = []
        // The summary-only path's record, reused from line to line.
        var counted = DecodedRecord.none
        batch.bytes.withUnsafeBufferPointer { all in
            for (number, range) in batch.lines[lines] {
                let line = UnsafeBufferPointer(rebasing: all[range])
                if mode == .summaryOnly {
                    if fast?.summary(line, into: &counted) == true {
                        summary.add(counted)
                        continue
                    }
                } else if let record = fast?.annotate(line, into: &output) {
                    if mode == .checked { output.removeAll() }
                    summary.add(record)
                    continue
                }
                do throws(JSONSyntaxError) {
                    let value = try JSONParser.parse(bytes: Array(line))
                    for record in slot.decoder.decode(value) {
                        if mode == .annotated {
                            var bytes: [UInt8] = []
                            record.writeJSON(into: &bytes)
                            bytes.append(0x0A)
                            output.append(contentsOf: bytes)
                        }
                        summary.add(record)
                    }
                } catch {
                    slot.failures.append((number, "\(error.message) at column \(error.column)"))
                    if mode == .annotated {
                        output.append(contentsOf: Array((JSONWriter.compact(["error": ["line": .int(number), "message": .string(error.message),
                                                                                       "column": .int(error.column)]]) + "\n").utf8))
                    }
                }
            }
        }
    }
}
