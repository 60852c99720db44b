import Adapters
import JSONText
import Synchronization

/// Annotates one NDJSON line straight from its bytes when it is the common case — one JSON object
/// that an adapter recognises — and otherwise says so, for the caller to decode it through
/// `PayloadDecoder` (lists, envelopes, unknown payloads, invalid JSON, unusual member names).
/// Not shareable between threads: each worker takes a `copy()`.
public struct LineAnnotator {
    private let detector: CompiledDetector
    private let adapters: [Adapter]
    /// This annotator's forks of the compiled schemas read copies of their adapters that share no
    /// storage with anyone's (`unshared()`), each made when its adapter is first met.
    private var unsharesAdapters = false
    private var unsharedAdapters: [String: Adapter] = [:]
    private let vendor: String?
    private let kind: String?
    /// Compiled schemas by detector candidate, made when a candidate is first met.
    private var compiled: [ByteAnnotator?]
    /// The schemas this annotator, its copies and its unshared lanes compiled (each once,
    /// whichever met it first).
    private var schemas = CompiledSchemas()
    private var tape = JSONTape()
    private var counts: [Int] = []
    private var seen: [Bool] = []
    /// The member names of the last line detected, each after its length (then eight zeros), and
    /// what that line was detected as: lines of one kind list the same names, so a line that
    /// lists exactly these is not detected again (the names are compared, not looked up).
    private var lastNames: [UInt8] = []
    private var lastDetection: (candidate: Int, detection: Detection)?
    /// Numbers each list of names kept in `lastNames`: a line annotated while `lastDetection` is
    /// set has exactly the names of this generation (what `ByteAnnotator` keys its shapes by).
    private var namesGeneration = 0
    /// The last generation given out (`namesGeneration` may be an older one, back in turn).
    private var generations = 0
    /// The names, detection and generation kept before the last ones: lines of two kinds taking
    /// turns (an order and a call, say) are each recognised by their names, not detected again.
    private var previous: (names: [UInt8], detection: (candidate: Int, detection: Detection), generation: Int)?
    /// The root members of the line being read by place, filled as its names are compared or
    /// kept, for the record-wide reads (valid while `lastDetection` is set).
    private var root = RootIndex()

    public init(adapters: [Adapter], vendor: String? = nil, kind: String? = nil) {
        self.adapters = adapters
        self.vendor = vendor
        self.kind = kind
        detector = CompiledDetector(adapters: adapters, vendor: vendor, kind: kind)
        compiled = Array(repeating: nil, count: detector.candidates.count)
    }

    /// How many payload schemas this annotator and its copies compiled.
    var compiledSchemaCount: Int { schemas.count }

    /// The same annotator with caches of its own; it forks the compiled schemas it meets from
    /// the store it shares with this one (`CompiledSchemas`).
    public func copy() -> LineAnnotator {
        var fresh = self
        fresh.compiled = Array(repeating: nil, count: compiled.count)
        fresh.root = RootIndex()
        return fresh
    }

    /// An annotator that shares nothing it reads for every record with this one: its own
    /// detector, and forks of the compiled schemas that read its own copy of what decoding reads
    /// of their adapter (`Adapter.unsharedForDecoding`, made for the adapters its lines turn out
    /// to be, not for every one; `ByteAnnotator.forked(reading:)`). For a thread that runs beside
    /// this one's: `copy()` shares the adapters and reads them for every record, and the
    /// retains of every record on objects two cores shared took a third of `decode --summary`'s
    /// time and a fifth of `--json`'s. The schemas are compiled once for both.
    public func unshared() -> LineAnnotator {
        var lane = LineAnnotator(adapters: adapters, vendor: vendor, kind: kind)
        lane.schemas = schemas
        lane.unsharesAdapters = true
        return lane
    }

    /// The record annotators of the schemas this annotator (not its copies) annotates with.
    var compiledRecordAnnotators: [RecordAnnotator] { compiled.compactMap { $0?.annotator } }

    /// Appends the annotated record (and a newline) to `out` and returns the record without its
    /// fields, for the summary; nil when the line must be decoded through the value tree.
    public mutating func annotate(_ line: UnsafeBufferPointer<UInt8>, into out: inout OutputBuffer) -> DecodedRecord? {
        guard let (annotator, detection) = recognise(line) else { return nil }
        let known = lastDetection != nil
        return annotator.annotate(line, tape: tape, detection: detection, names: known ? namesGeneration : 0, root: known ? root : nil, into: &out)
    }


    /// Only what a batch summary counts (result, duration, answered; no field checked, so no
    /// warnings); nil when the line must be decoded through the value tree. `withIDs`: also the
    /// top-level call-id members, as `RecordAnnotator.summary` gives them (what a server keeps of
    /// a delivery).
    public mutating func summary(_ line: UnsafeBufferPointer<UInt8>, withIDs: Bool = false) -> DecodedRecord? {
        var record = DecodedRecord.none
        return summary(line, withIDs: withIDs, into: &record) ? record : nil
    }

    /// `summary` into a record the caller keeps from line to line (reused when the payload is
    /// the same); false, with `record` unchanged, when the line must be decoded through the value tree.
    public mutating func summary(_ line: UnsafeBufferPointer<UInt8>, withIDs: Bool = false, into record: inout DecodedRecord) -> Bool {
        guard let (annotator, detection) = recognise(line) else { return false }
        annotator.summary(line, tape: tape, detection: detection, withIDs: withIDs, root: lastDetection != nil ? root : nil, into: &record)
        return true
    }

    /// Indexes the line, detects its payload from the top-level member names, and gives the
    /// payload's compiled schema (compiled when first met).
    private mutating func recognise(_ line: UnsafeBufferPointer<UInt8>) -> (ByteAnnotator, Detection)? {
        guard tape.index(line), tape.keysPlainASCII else { return nil }
        if let last = lastDetection, let annotator = compiled[last.candidate], namesAre(lastNames, generation: namesGeneration, line) {
            return (annotator, last.detection)
        }
        if let before = previous, let annotator = compiled[before.detection.candidate],
           namesAre(before.names, generation: before.generation, line) {
            if let last = lastDetection { previous = (lastNames, last, namesGeneration) }
            (lastNames, lastDetection, namesGeneration) = (before.names, before.detection, before.generation)
            return (annotator, before.detection.detection)
        }
        if let last = lastDetection { previous = (lastNames, last, namesGeneration) }
        lastDetection = nil
        let keyCount = detector.candidatesOfKey.count
        if counts.count != detector.candidates.count { counts = [Int](repeating: 0, count: detector.candidates.count) }
        if seen.count != keyCount { seen = [Bool](repeating: false, count: keyCount) }
        for i in counts.indices { counts[i] = 0 }
        for i in seen.indices { seen[i] = false }
        // Tables and counters held in locals: touched through `self` inside the closure, they
        // were retained for every member.
        let keyNumbers = detector.keyNumbers
        let candidatesOfKey = detector.candidatesOfKey
        var counts = self.counts, seen = self.seen
        self.counts = []
        self.seen = []
        let isObject = tape.withEntries { entries -> Bool in
            guard let root = entries.first, root.kind == .object else { return false }
            var child = 1
            for _ in 0..<root.count {
                let m = entries[child]
                if let key = keyNumbers.lookup(line, m.keyStart..<m.keyEnd), !seen[key] {
                    seen[key] = true
                    for c in candidatesOfKey[key] { counts[c] += 1 }
                }
                child = m.next
            }
            return true
        }
        self.counts = counts
        self.seen = seen
        guard isObject else { return nil }
        var nested = JSONValue.object([])
        if !detector.nestedKeys.isEmpty {
            nested = .object(ByteAnnotator.members(of: 0, in: tape, bytes: line, keys: detector.nestedKeys))
        }
        guard let (candidate, detection) = detector.detect(counts: counts, nestedRoot: nested) else { return nil }
        // Detection reads the names alone unless a candidate looks into nested members.
        if detector.nestedKeys.isEmpty, rememberNames(line) { lastDetection = (candidate, detection) }
        if let annotator = compiled[candidate] { return (annotator, detection) }
        let adapters = self.adapters
        var reading: (Adapter, PayloadSchema, [Adapter])?
        if unsharesAdapters {
            let own = unsharedAdapters[detection.adapter.id] ?? detection.adapter.unsharedForDecoding()
            unsharedAdapters[own.id] = own
            reading = (own, own.payloads.first { $0.kind == detection.payload.kind } ?? detection.payload,
                       adapters.map { $0.id == own.id ? own : $0 })
        }
        let annotator = schemas.annotator(candidate, reading: reading) {
            ByteAnnotator(annotator: RecordAnnotator(adapter: detection.adapter, payload: detection.payload, adapters: adapters))
        }
        compiled[candidate] = annotator
        return (annotator, detection)
    }

    /// Whether the object at the tape's root has exactly the member names `names` (of generation
    /// `generation`: kept by `rememberNames`), in order; the root's places are filled as they are
    /// compared. (Once per line, over every top-level name: pointers, the bounds checked once per name.)
    private func namesAre(_ names: [UInt8], generation: Int, _ line: UnsafeBufferPointer<UInt8>) -> Bool {
        tape.withEntries { entries in
            guard let root = entries.first, root.kind == .object, let text = line.baseAddress else { return false }
            return names.withUnsafeBytes { names in
                // The names end with eight zeros (`rememberNames`): every name can be read as words.
                let stored = names.baseAddress!
                let end = names.count - 8
                self.root.start(generation: generation, count: root.count)
                let places = self.root.entries
                var p = 0
                var child = 1
                for place in 0..<root.count {
                    places[place] = Int32(truncatingIfNeeded: child)
                    let m = entries[child]
                    let start = m.keyStart
                    let length = m.keyEnd &- start
                    guard p &+ 1 &+ length <= end, Int(stored.load(fromByteOffset: p, as: UInt8.self)) == length else { return false }
                    if length > 0, !ByteKeyTable.same(stored + p + 1, UnsafeRawPointer(text + start), count: length, loadable: start &+ 8 <= line.count) {
                        return false
                    }
                    p = p &+ 1 &+ length
                    child = m.next
                }
                return p == end
            }
        }
    }

    /// Keeps the root object's member names as `lastNames`; false when one is too long to keep.
    private mutating func rememberNames(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var names = lastNames
        lastNames = []
        names.removeAll(keepingCapacity: true)
        generations += 1
        root.start(generation: generations, count: tape.withEntries { $0[0].count })
        let places = root.entries
        let kept = tape.withEntries { entries -> Bool in
            var child = 1
            for place in 0..<entries[0].count {
                places[place] = Int32(truncatingIfNeeded: child)
                let m = entries[child]
                guard m.keyEnd - m.keyStart < 256 else { return false }
                names.append(UInt8(m.keyEnd - m.keyStart))
                names.append(contentsOf: UnsafeBufferPointer(rebasing: line[m.keyStart..<m.keyEnd]))
                child = m.next
            }
            return true
        }
        names.append(contentsOf: repeatElement(0, count: 8))
        lastNames = names
        namesGeneration = generations
        return kept
    }
}

/// Schemas compiled for byte annotation, shared by an annotator and its copies (one per worker
/// thread): the first copy to meet a payload compiles it, and every copy (that one too) annotates
/// with a fork of it. Compiling is ~1.3 M instructions; a fork shares what is only read.
final class CompiledSchemas: Sendable {
    /// Never annotated with: only forked, under the lock.
    private struct Templates: @unchecked Sendable {
        var byCandidate: [Int: ByteAnnotator] = [:]
    }
    private let templates = Mutex(Templates())

    /// How many schemas were compiled.
    var count: Int { templates.withLock { $0.byCandidate.count } }

    /// A fork of the schema of `candidate` (compiled first if no one has), reading `reading`
    /// when given (`ByteAnnotator.forked(reading:)`).
    func annotator(_ candidate: Int, reading: (Adapter, PayloadSchema, [Adapter])? = nil, compile: () -> ByteAnnotator) -> ByteAnnotator {
        templates.withLock { t in
            if let template = t.byCandidate[candidate] { return template.forked(reading: reading) }
            let template = compile()
            t.byCandidate[candidate] = template
            return template.forked(reading: reading)
        }
    }
}
