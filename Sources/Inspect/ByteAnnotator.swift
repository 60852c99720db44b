import Adapters
import JSONText

/// One payload's schema compiled for annotating records straight from their bytes (a `JSONTape`):
/// member names are looked up without building strings, the usual meanings are pre-rendered JSON,
/// and the code meanings met so far are cached by the value's bytes. The output is byte for byte
/// what `RecordAnnotator` and `DecodedRecord.writeJSON` write: every value that is not the common
/// case (a unit to convert, a type to complain about, a code not yet seen) is handed, alone, to
/// `RecordAnnotator`, and the record-wide checks read the tape in place (`TapeReader`).
/// One instance belongs to one thread (its caches grow as it goes); `forked()` makes another,
/// which shares the compiled tables that are only read.
final class ByteAnnotator {
    /// What the schema says about one place in a record (`RecordAnnotator.ChildInfo`, compiled).
    struct Node {
        /// Index into `specs`, or -1.
        var spec: Int
        var isParent: Bool
        var isElement: Bool
        /// Index into `levels` (the members the schema names here), or -1.
        var members: Int
        /// The node of this path's array elements.
        var element: Int
        /// What the spec's type asks of a container here: an object, an array, or either (nil).
        var expects: JSONTape.Kind? = nil
    }

    /// How a leaf with a spec is annotated when nothing is wrong with it. Packed in one integer:
    /// read for every field, ten separate flags were ten loads and as many spills.
    struct LeafRule {
        private var bits: UInt16 = 0

        @inline(__always) private func flag(_ bit: UInt16) -> Bool { bits & bit != 0 }
        @inline(__always) private mutating func set(_ bit: UInt16, _ on: Bool) { bits = on ? bits | bit : bits & ~bit }

        /// The meaning depends on the value, and values repeat (codes, durations): cache them by
        /// the value's bytes.
        var cached: Bool { get { flag(1) } set { set(1, newValue) } }
        /// A time: every value differs. `epoch` is 1 for epoch-s, 2 for epoch-ms, 3 for
        /// epoch-auto (numbers); `localTime` is datetime-local (strings). Written from the bytes
        /// when nothing is wrong with the value, otherwise through `RecordAnnotator`.
        var epoch: UInt8 {
            get { UInt8(truncatingIfNeeded: (bits >> 12) & 3) }
            set { bits = bits & ~(3 << 12) | UInt16(newValue & 3) << 12 }
        }
        var localTime: Bool { get { flag(2) } set { set(2, newValue) } }
        var converted: Bool { get { flag(4) } set { set(4, newValue) } }
        /// A duration: 1 in seconds, 2 in milliseconds, written from the number when it is an
        /// integer (values differ too much to cache: offsets into a recording, say).
        var duration: UInt8 {
            get { UInt8(truncatingIfNeeded: (bits >> 14) & 3) }
            set { bits = bits & ~(3 << 14) | UInt16(newValue & 3) << 14 }
        }
        /// Otherwise the spec's own meaning, when the value is of an accepted kind. (Set only for
        /// a spec with no unit, table or time: a string it accepts has nothing else to look at.)
        var string: Bool { get { flag(8) } set { set(8, newValue) } }
        var number: Bool { get { flag(16) } set { set(16, newValue) } }
        var integerOnly: Bool { get { flag(32) } set { set(32, newValue) } }
        var bool: Bool { get { flag(64) } set { set(64, newValue) } }
        /// An object or array value is what the spec expects.
        var container: Bool { get { flag(128) } set { set(128, newValue) } }
    }

    let annotator: RecordAnnotator
    let specs: [FieldSpec]
    let rules: [LeafRule]
    let nodes: [Node]
    let levels: [ByteKeyTable]
    /// The same, reached unretained by the walk (`levels` keeps them).
    private let levelTables: [Unmanaged<ByteKeyTable>]
    /// The pre-rendered parts of fields, per spec (see `Rendered`).
    private let rendered: ByteStrings
    /// Per node `n` with a member name: string `2n` is `.name","value":` and `2n + 1` the same
    /// without the dot (a member of the record itself) — a scalar member's path ends, and its
    /// value begins, with one of these (`Walk.pending`).
    private let heads: ByteStrings
    private static let headTail: StaticString = #"","value":"#
    /// Which of `rendered` is which: for spec `s` of `n`, string `part * n + s`; `noMeaning` is
    /// the one after them all.
    private enum Rendered: Int, CaseIterable {
        /// `,"meaning":…` for a value the spec accepts, for null, and for an empty array.
        case plainTail, nullTail, emptyTail
        /// `" — meaning"` as it appears inside the quoted meaning (empty without one).
        case meaningSuffix
        /// `" (zone …)"` inside quotes, for local times.
        case localAssumed
    }
    @inline(__always) private func rendered(_ part: Rendered, _ s: Int) -> UnsafeBufferPointer<UInt8> { rendered[part.rawValue * specs.count + s] }
    /// `,"meaning":null`.
    @inline(__always) private var noMeaning: UnsafeBufferPointer<UInt8> { rendered[noMeaningIndex] }
    private let noMeaningIndex: Int
    let unknownFieldMessage: String
    /// Per spec with local times: the offset they are read in.
    let localOffset: [Int]

    /// Code meanings by spec, keyed by the value's bytes: the number of the `,"meaning":…,"note":…`
    /// tail in `cachedTails`. The tables are reached unretained (`cache` keeps them).
    // A worker's own: no other thread touches these (exclusivity is not checked at run time).
    private let cache: [ByteKeyTable]
    private let cacheTables: [Unmanaged<ByteKeyTable>]
    @exclusivity(unchecked) private var cachedTails = ByteStrings()
    static let cacheLimit = 4096
    /// The same for values written as an integer below `smallCodes` (most codes): spec `s`, value
    /// `n` at `s * smallCodes + n`, -1 when not cached yet. Read without hashing.
    private let smallTails: UnsafeMutablePointer<Int32>
    static let smallCodes = 128
    /// Per spec, the last two other codes found in `cache` and their tails.
    private let recentCodes: UnsafeMutablePointer<RecentTokens>
    // The walk's own tables, in memory this class allocates and frees: written for every member,
    // as arrays they cost a uniqueness check and a retain and release each time.
    /// Which member names were seen in the object being walked (duplicate detection), per node.
    private let stamps: UnsafeMutablePointer<UInt32>
    @exclusivity(unchecked) private var serial: UInt32 = 0
    /// Per level and member place (the first `predictedPlaces`), the key number found there in
    /// the last record (-1: none yet).
    private let keyAtPlace: UnsafeMutablePointer<Int32>
    static let predictedPlaces = 128
    /// Per level, two shapes: the members of the last two objects of different names walked there
    /// whose names were all known and none repeated (`ShapePlace`, by place), and how many there
    /// were (-1: none yet); shape `2 * level + newerShape[level]` is the newer. An object with
    /// the names of one, in its order, is walked without looking its names up or checking them
    /// for duplicates. (Two: the turns of a dialogue often take turns between two shapes.)
    private let shapePlaces: UnsafeMutablePointer<ShapePlace>
    private let shapeCounts: UnsafeMutablePointer<Int32>
    private let newerShape: UnsafeMutablePointer<UInt8>
    /// One member of a shape: its name's bytes (`ShortToken`; a name of more than 16 bytes is
    /// compared through the level's table as key number `keyIndex`) and its node.
    private struct ShapePlace {
        var name = ShortToken()
        var keyIndex: Int32 = -1
        var node: Int32 = -1
    }
    /// The node of each member entry of the record being walked (`Walk.nodeOf`), and its room.
    @exclusivity(unchecked) private var nodeOf: UnsafeMutablePointer<Int32>
    @exclusivity(unchecked) private var nodeOfCapacity = 256
    /// The last record head written (`{"vendor":…,"fields":[`) and the confidence it was for:
    /// vendor and kind are this payload's, so only the confidence can change it.
    @exclusivity(unchecked) private var head: (confidence: String, bytes: [UInt8])?
    /// The node of each member of the last root object walked, by place, and the generation of
    /// its names (`annotate`); 0 when it had a duplicate (whose warning must be given again).
    @exclusivity(unchecked) private var rootShape: UnsafeMutablePointer<Int32>
    @exclusivity(unchecked) private var rootShapeCapacity = 128
    @exclusivity(unchecked) private var rootShapeNames = 0
    /// The dates of the days times were written for lately.
    @exclusivity(unchecked) private var dates = TimeFormat.CivilDates()
    /// `Walk.path`'s storage, kept between records.
    @exclusivity(unchecked) private var path = OutputBuffer(capacity: 256)
    /// The record's timelines as written, kept between records.
    @exclusivity(unchecked) private var timelines = OutputBuffer(capacity: 1024)
    /// Where the record-wide reads found names in earlier records (`TapeReader.hints`).
    private let memberHints = MemberHints()

    deinit {
        stamps.deallocate()
        keyAtPlace.deallocate()
        shapePlaces.deallocate()
        shapeCounts.deallocate()
        newerShape.deallocate()
        nodeOf.deallocate()
        rootShape.deallocate()
        path.free()
        timelines.free()
        rendered.free()
        heads.free()
        cachedTails.free()
        smallTails.deallocate()
        recentCodes.deallocate()
    }

    convenience init(annotator: RecordAnnotator) {
        // In the order the payload declares them (numbered in any fixed order; sorting their
        // paths cost more than the rest of this).
        var specIndex: [String: Int] = [:]
        var specs: [FieldSpec] = []
        for field in annotator.payload.fields where specIndex[field.path] == nil {
            guard let spec = annotator.specs[field.path] else { continue }
            specIndex[field.path] = specs.count
            specs.append(spec)
        }
        let rules = specs.map { spec in
            var rule = LeafRule()
            let t = spec.type
            rule.container = ["object", "array", "any"].contains(t)
            let epochs = ["epoch-s", "epoch-ms", "epoch-auto"]
            if let unit = spec.unit, epochs.contains(unit) || unit == "datetime-local" {
                if spec.table == nil, epochs.contains(unit), !["string", "boolean", "array", "object"].contains(t) {
                    rule.epoch = UInt8(epochs.firstIndex(of: unit)! + 1)
                } else if spec.table == nil, unit == "datetime-local", !["integer", "number", "boolean", "array", "object"].contains(t) {
                    rule.localTime = true
                } else {
                    rule.converted = true
                }
                return rule
            }
            if spec.table == nil, spec.unit == "seconds" || spec.unit == "milliseconds", !["string", "boolean", "array", "object"].contains(t) {
                rule.duration = spec.unit == "seconds" ? 1 : 2
                return rule
            }
            if spec.unit != nil || spec.table != nil {
                rule.cached = true
                return rule
            }
            rule.string = !["integer", "number", "boolean", "array", "object"].contains(t)
            rule.number = !["string", "boolean", "array", "object"].contains(t)
            rule.integerOnly = t == "integer"
            rule.bool = t == "boolean" || t == "any"
            return rule
        }
        func inner(_ text: String) -> [UInt8] {
            var out: [UInt8] = []
            JSONWriter.quotedPieces(text) { out.append(contentsOf: $0) }
            return out
        }
        // What `RecordAnnotator.meaningText` gives for no parts, "null" and "empty", written as
        // JSON from the spec's meaning quoted once.
        let meanings = specs.map { inner($0.meaning) }
        let dash = Array(" — ".utf8), key = Array(#","meaning":"#.utf8), quote: [UInt8] = [0x22]
        var rendered = ByteStrings()
        for (spec, meaning) in zip(specs, meanings) {
            if spec.meaning.isEmpty { rendered.append(key, Array("null".utf8)) } else { rendered.append(key, quote, meaning, quote) }
        }
        for (spec, meaning) in zip(specs, meanings) {
            if spec.meaning.isEmpty { rendered.append(key, Array("\"null\"".utf8)) } else { rendered.append(key, Array("\"null".utf8), dash, meaning, quote) }
        }
        for (spec, meaning) in zip(specs, meanings) {
            if spec.meaning.isEmpty { rendered.append(key, Array("\"empty\"".utf8)) } else { rendered.append(key, Array("\"empty".utf8), dash, meaning, quote) }
        }
        let unknownFieldMessage = "not a field of \(annotator.adapter.id) \(annotator.payload.kind)"
        for (spec, meaning) in zip(specs, meanings) { if spec.meaning.isEmpty { rendered.append([]) } else { rendered.append(dash, meaning) } }
        let offsets = specs.map { $0.zone.flatMap(TimeZoneOffset.minutes) ?? annotator.zoneMinutes ?? 0 }
        for (spec, offset) in zip(specs, offsets) {
            rendered.append(inner(" (" + (spec.zone.map { "zone " + $0 } ?? "zone \(TimeFormat.zone(offset))") + ")"))
        }
        let noMeaningIndex = rendered.count
        assert(noMeaningIndex == Rendered.allCases.count * specs.count)
        rendered.append(Array(#","meaning":null"#.utf8))

        // Nodes: 0 is the element of an array the schema says nothing about.
        var nodes = [Node(spec: -1, isParent: false, isElement: true, members: -1, element: 0)]
        var levels: [ByteKeyTable] = []
        var made: [String: Int] = [:]
        /// The member name each node is reached by ("" for elements and the root).
        var names = [""]
        let parents = annotator.parents
        let children = annotator.children
        func node(_ path: String, isElement: Bool, isParent: Bool) -> Int {
            let id = (isElement ? "[]|" : "|") + path
            if let existing = made[id] { return existing }
            let me = nodes.count
            made[id] = me
            let spec = specIndex[path] ?? -1
            let type = spec >= 0 ? specs[spec].type : ""
            nodes.append(Node(spec: spec, isParent: isParent, isElement: isElement, members: -1, element: 0,
                              expects: type == "array" ? .array : type == "object" ? .object : nil))
            names.append("")
            if let known = children[path] {
                let table = ByteKeyTable(known.map { key, info in
                    let child = node(info.schemaPath, isElement: false, isParent: info.isParent)
                    names[child] = key
                    return (key, child)
                })
                nodes[me].members = levels.count
                levels.append(table)
            }
            let elementPath = path + "[]"
            if parents.contains(path) || specIndex[elementPath] != nil || children[elementPath] != nil {
                nodes[me].element = node(elementPath, isElement: true, isParent: parents.contains(path))
            }
            return me
        }
        _ = node("", isElement: false, isParent: true)
        var heads = ByteStrings()
        let tail = ByteAnnotator.headTail.withUTF8Buffer { Array($0) }
        for name in names {
            let name = Array(name.utf8)
            heads.append([UInt8(ascii: ".")], name, tail)
            heads.append(name, tail)
        }
        self.init(annotator: annotator, specs: specs, rules: rules, nodes: nodes, levels: levels, rendered: rendered, heads: heads,
                  noMeaningIndex: noMeaningIndex, unknownFieldMessage: unknownFieldMessage, localOffset: offsets)
    }

    /// The same compiled schema with caches and walk tables of its own, for another thread: the
    /// compiled parts that are only read (specs, rules, nodes, the member tables) are shared, the
    /// pre-rendered strings copied. (Compiling again cost 1.3 M instructions a thread.)
    ///
    /// With an adapter: for a thread that runs beside this one's, reading that adapter (a copy of
    /// this one's that shares no storage with it; see `RecordAnnotator.forked(reading:)`), and
    /// arrays of its own (reading an element may retain an array: two cores writing one count
    /// take turns at its cache line). Only the member tables, reached unretained, are shared.
    func forked(reading own: (Adapter, PayloadSchema, [Adapter])? = nil) -> ByteAnnotator {
        guard let own else {
            return ByteAnnotator(annotator: annotator.forked(), specs: specs, rules: rules, nodes: nodes, levels: levels, rendered: rendered.copied(),
                                 heads: heads.copied(), noMeaningIndex: noMeaningIndex, unknownFieldMessage: unknownFieldMessage,
                                 localOffset: localOffset)
        }
        return ByteAnnotator(annotator: annotator.forked(reading: own.0, own.1, adapters: own.2), specs: specs.map { $0 }, rules: rules.map { $0 },
                             nodes: nodes.map { $0 }, levels: levels.map { $0 }, rendered: rendered.copied(), heads: heads.copied(),
                             noMeaningIndex: noMeaningIndex, unknownFieldMessage: unknownFieldMessage, localOffset: localOffset.map { $0 })
    }

    /// The compiled parts given, the caches and the walk's tables made empty.
    private init(annotator: RecordAnnotator, specs: [FieldSpec], rules: [LeafRule], nodes: [Node], levels: [ByteKeyTable], rendered: ByteStrings,
                 heads: ByteStrings,
                 noMeaningIndex: Int, unknownFieldMessage: String, localOffset: [Int]) {
        self.annotator = annotator
        self.specs = specs
        self.rules = rules
        self.nodes = nodes
        self.levels = levels
        levelTables = levels.map { Unmanaged.passUnretained($0) }
        self.rendered = rendered
        self.heads = heads
        self.noMeaningIndex = noMeaningIndex
        self.unknownFieldMessage = unknownFieldMessage
        self.localOffset = localOffset
        // A table of its own for each spec whose meanings are cached; the rest are never looked
        // up, and share one empty table.
        let none = ByteKeyTable()
        cache = rules.map { $0.cached ? ByteKeyTable() : none }
        cacheTables = cache.map { Unmanaged.passUnretained($0) }
        smallTails = .allocate(capacity: specs.count * ByteAnnotator.smallCodes)
        smallTails.initialize(repeating: -1, count: specs.count * ByteAnnotator.smallCodes)
        recentCodes = .allocate(capacity: specs.count)
        recentCodes.initialize(repeating: RecentTokens(), count: specs.count)
        stamps = .allocate(capacity: nodes.count)
        stamps.initialize(repeating: 0, count: nodes.count)
        keyAtPlace = .allocate(capacity: levels.count * ByteAnnotator.predictedPlaces)
        keyAtPlace.initialize(repeating: -1, count: levels.count * ByteAnnotator.predictedPlaces)
        // A shape's places are written before its count says they are there.
        shapePlaces = .allocate(capacity: 2 * levels.count * ByteAnnotator.predictedPlaces)
        shapeCounts = .allocate(capacity: 2 * levels.count)
        shapeCounts.initialize(repeating: -1, count: 2 * levels.count)
        newerShape = .allocate(capacity: levels.count)
        newerShape.initialize(repeating: 0, count: levels.count)
        nodeOf = .allocate(capacity: nodeOfCapacity)
        rootShape = .allocate(capacity: rootShapeCapacity)
    }

    // MARK: - One record

    /// The state of writing one record.
    struct Walk {
        let bytes: UnsafeBufferPointer<UInt8>
        let entries: UnsafeBufferPointer<JSONTape.Entry>
        /// The output: the record's head, then its fields as they are walked.
        var out: OutputBuffer
        /// The path of the value being visited (`a.b[2].c`).
        var path: OutputBuffer
        var record: DecodedRecord
        var firstField = true
        /// The node of each member entry, found in the duplicate pass and used in the visit pass.
        /// Every member's slot is written before it is read.
        let nodeOf: UnsafeMutablePointer<Int32>
        /// Entries of member names unknown to the schema in the object being walked.
        var unknown: [Int] = []
        /// The generation of the root's member names (0: unknown; see `annotate`).
        let names: Int
        /// An object of the record repeats a member name.
        var repeatedName = false
        /// The node of the scalar member being written, whose name is not in `path` (-1: none):
        /// `heads` has it.
        var pending = -1
    }

    /// Writes the annotated record for the object at the tape's root into `out` and returns it
    /// without its fields (for the summary); nil (with `out` unchanged) when this record must go
    /// through the value tree instead. `names`: the generation of the root's member names (0:
    /// unknown), from `LineAnnotator`; a record whose names are those of the last one walked
    /// reuses what the walk found for them; `root` has its members by place (`RootIndex`).
    func annotate(_ bytes: UnsafeBufferPointer<UInt8>, tape: JSONTape, detection: Detection, names: Int = 0, root: RootIndex? = nil,
                           into out: inout OutputBuffer) -> DecodedRecord? {
        if head?.confidence != detection.confidence {
            var bytes: [UInt8] = []
            emptyRecord(detection).writeHead(into: &bytes)
            head = (detection.confidence, bytes)
        }
        let start = out.count
        out.append(contentsOf: head!.bytes)
        return tape.withEntries { entries -> DecodedRecord? in
            path.removeAll()
            // The output moves into the walk and back (it may have moved as it grew).
            if nodeOfCapacity < entries.count {
                nodeOf.deallocate()
                nodeOfCapacity = max(entries.count, nodeOfCapacity * 2)
                nodeOf = .allocate(capacity: nodeOfCapacity)
            }
            // The record is made in the walk and leaves it at its end (not copied in and out).
            var walk = Walk(bytes: bytes, entries: entries, out: out, path: path, record: emptyRecord(detection), nodeOf: nodeOf, names: names)
            guard walkObject(0, level: nodes[1].members, &walk) else {
                walk.out.truncate(to: start)
                path = walk.path
                out = walk.out
                return nil
            }
            let reader = TapeReader(bytes: bytes, entries: entries, root: root, hints: walk.repeatedName ? nil : memberHints)
            annotator.finishStreamed(reader, into: &walk.record, out: &walk.out, timelines: &timelines)
            walk.out.append(0x0A)
            path = walk.path
            out = walk.out
            // Moved out, not copied (a copy retains each of its strings and arrays, and the walk's
            // end releases them again).
            var record = DecodedRecord.none
            swap(&record, &walk.record)
            return record
        }
    }

    /// This payload's record for a detection, without fields.
    private func emptyRecord(_ detection: Detection) -> DecodedRecord {
        DecodedRecord(vendor: annotator.adapter.id, kind: annotator.payload.kind, title: annotator.payload.title,
                      confidence: detection.confidence, fingerprintMatched: detection.matched,
                      fingerprintSize: annotator.payload.fingerprint.count,
                      fields: [], warnings: [], transcript: [], timelines: [])
    }

    /// Only the summary values (result, duration, answered) of the record at the tape's root, into
    /// `record`; `withIDs`: also its top-level call-id members, as `RecordAnnotator.summary` gives
    /// them. When `record` holds the last record of this payload and detection, only its summary
    /// values (and ids) are made again — a record of a batch is counted and dropped, and making
    /// each afresh retained and released its every string.
    func summary(_ bytes: UnsafeBufferPointer<UInt8>, tape: JSONTape, detection: Detection, withIDs: Bool = false,
                 root: RootIndex? = nil, into record: inout DecodedRecord) {
        if record.vendor == annotator.adapter.id, record.kind == annotator.payload.kind, record.confidence == detection.confidence,
           record.fingerprintMatched == detection.matched {
            record.result = nil
            record.resultMeaning = nil
            record.durationSeconds = nil
            record.answered = nil
            record.fields.removeAll(keepingCapacity: true)
        } else {
            record = emptyRecord(detection)
        }
        tape.withEntries { entries in
            if withIDs {
                var child = 1
                for _ in 0..<entries[0].count {
                    let m = entries[child]
                    let key = UnsafeBufferPointer(rebasing: bytes[m.keyStart..<m.keyEnd])
                    if RecordAnnotator.isCallID(key) {
                        record.fields.append(AnnotatedField(path: String(decoding: key, as: UTF8.self), value: ByteAnnotator.value(child, bytes, entries),
                                                            meaning: nil))
                    }
                    child = m.next
                }
            }
            annotator.summarize(TapeReader(bytes: bytes, entries: entries, root: root), 0, into: &record)
        }
    }

    /// The members of the object at entry `e` whose names are in `keys`, as values.
    static func members(of e: Int, in tape: JSONTape, bytes: UnsafeBufferPointer<UInt8>, keys: ByteKeyTable) -> [JSONMember] {
        guard !keys.isEmpty else { return [] }
        var members: [JSONMember] = []
        tape.withEntries { entries in
            var child = e + 1
            for _ in 0..<entries[e].count {
                let m = entries[child]
                if keys.lookup(bytes, m.keyStart..<m.keyEnd) != nil {
                    members.append(JSONMember(String(decoding: UnsafeBufferPointer(rebasing: bytes[m.keyStart..<m.keyEnd]), as: UTF8.self),
                                              value(child, bytes, entries)))
                }
                child = m.next
            }
        }
        return members
    }

    // MARK: - Walking

    private func walkObject(_ e: Int, level: Int, _ w: inout Walk) -> Bool {
        let count = w.entries[e].count
        let pathLength = w.path.count
        serial &+= 1
        if serial == 0 {
            stamps.update(repeating: 0, count: nodes.count)
            serial = 1
        }
        // The root of a record with the member names of the last one walked: its members are
        // the nodes they were then, with no duplicate.
        if e == 0, w.names != 0, w.names == rootShapeNames, count <= rootShapeCapacity {
            var child = 1
            for k in 0..<count {
                w.nodeOf[child] = rootShape[k]
                child = w.entries[child].next
            }
            return visitMembers(e, count: count, pathLength: pathLength, &w)
        }
        if e == 0 { rootShapeNames = 0 }
        if level >= 0, hasShape(e, count: count, level: level, &w) {
            return visitMembers(e, count: count, pathLength: pathLength, &w)
        }
        var duplicates = false
        w.unknown.removeAll(keepingCapacity: true)
        // Pass 1: which node each member is, and duplicates (warned before the members' own).
        // Records of one kind list their members in the same order, so the name at each place
        // is first compared with the one found there last time, and looked up only if it differs.
        // Unretained: a retain and a release around every call was a tenth of the walk's own cost.
        let table = level >= 0 ? levelTables[level] : nil
        var child = e + 1
        for k in 0..<count {
            let m = w.entries[child]
            var node: Int?
            if let table {
                let place = k < ByteAnnotator.predictedPlaces ? level * ByteAnnotator.predictedPlaces + k : -1
                node = table._withUnsafeGuaranteedRef { table -> Int? in
                    if place >= 0, table.matches(Int(keyAtPlace[place]), w.bytes, m.keyStart..<m.keyEnd) {
                        return table.value(at: Int(keyAtPlace[place]))
                    }
                    guard let index = table.index(of: w.bytes, m.keyStart..<m.keyEnd) else { return nil }
                    if place >= 0 { keyAtPlace[place] = Int32(index) }
                    return table.value(at: index)
                }
            }
            var duplicate = false
            if let node {
                if stamps[node] == serial { duplicate = true } else { stamps[node] = serial }
            } else {
                for other in w.unknown where sameKey(w.entries[other], m, w.bytes) { duplicate = true; break }
                if !duplicate {
                    guard w.unknown.count < 64 else { return false }
                    w.unknown.append(child)
                }
            }
            w.nodeOf[child] = Int32(node ?? -1)
            if duplicate {
                duplicates = true
                w.repeatedName = true
                let key = String(decoding: UnsafeBufferPointer(rebasing: w.bytes[m.keyStart..<m.keyEnd]), as: UTF8.self)
                appendKey(m, &w)
                w.record.warnings.append(DecodeWarning("duplicate-key", pathString(w),
                                                       "\"\(key)\" appears more than once; parsers disagree on which value wins"))
                w.path.truncate(to: pathLength)
            }
            child = m.next
        }
        if e == 0, w.names != 0, !duplicates {
            if count > rootShapeCapacity {
                rootShape.deallocate()
                rootShapeCapacity = max(count, rootShapeCapacity * 2)
                rootShape = .allocate(capacity: rootShapeCapacity)
            }
            child = 1
            for k in 0..<count {
                rootShape[k] = w.nodeOf[child]
                child = w.entries[child].next
            }
            rootShapeNames = w.names
        }
        if level >= 0 { keepShape(e, count: count, level: level, known: !duplicates && w.unknown.isEmpty, &w) }
        return visitMembers(e, count: count, pathLength: pathLength, &w)
    }

    /// Whether the object at `e` (of `count` members) has the names of one of its level's shapes,
    /// in order; if so, each member's node is in `w.nodeOf`.
    @inline(__always)
    private func hasShape(_ e: Int, count: Int, level: Int, _ w: inout Walk) -> Bool {
        var shape = 2 * level + Int(newerShape[level])
        for _ in 0..<2 {
            if count == Int(shapeCounts[shape]), hasShape(shape, e, count: count, level: level, &w) { return true }
            shape ^= 1
        }
        return false
    }

    @inline(__always)
    private func hasShape(_ shape: Int, _ e: Int, count: Int, level: Int, _ w: inout Walk) -> Bool {
        let places = shapePlaces + shape * ByteAnnotator.predictedPlaces
        var child = e + 1
        for k in 0..<count {
            let m = w.entries[child]
            let place = places[k]
            if let name = ShortToken(UnsafeBufferPointer(rebasing: w.bytes[m.keyStart..<m.keyEnd])) {
                guard name.same(place.name) else { return false }
            } else {
                guard place.name.length < 0,
                      levelTables[level]._withUnsafeGuaranteedRef({ $0.matches(Int(place.keyIndex), w.bytes, m.keyStart..<m.keyEnd) })
                else { return false }
            }
            w.nodeOf[child] = place.node
            child = m.next
        }
        return true
    }

    /// Keeps the names and nodes of the object at `e` as its level's newer shape, in place of the
    /// older one, when they were all `known` (no unknown name, none repeated) and few enough.
    private func keepShape(_ e: Int, count: Int, level: Int, known: Bool, _ w: inout Walk) {
        guard known, count <= ByteAnnotator.predictedPlaces else { return }
        newerShape[level] ^= 1
        let shape = 2 * level + Int(newerShape[level])
        let places = shapePlaces + shape * ByteAnnotator.predictedPlaces
        var child = e + 1
        for k in 0..<count {
            let m = w.entries[child]
            let name = ShortToken(UnsafeBufferPointer(rebasing: w.bytes[m.keyStart..<m.keyEnd]))
            places[k] = ShapePlace(name: name ?? ShortToken(), keyIndex: keyAtPlace[level * ByteAnnotator.predictedPlaces + k],
                                   node: w.nodeOf[child])
            child = m.next
        }
        shapeCounts[shape] = Int32(count)
    }

    /// Pass 2 of `walkObject`: the members of the object at `e` in order, each with its node.
    private func visitMembers(_ e: Int, count: Int, pathLength: Int, _ w: inout Walk) -> Bool {
        var child = e + 1
        for _ in 0..<count {
            let m = w.entries[child]
            let node = Int(w.nodeOf[child])
            // A member's scalar value is a leaf (what `visit` finds for it, asked directly), and
            // its name goes into the field's path from `heads`.
            if node >= 0, m.kind != .object, m.kind != .array {
                w.pending = node
                leaf(child, spec: nodes[node].spec, &w)
                w.pending = -1
                child = m.next
                continue
            }
            appendKey(m, &w)
            if node >= 0 {
                guard visit(child, node: node, &w) else { return false }
            } else {
                w.record.warnings.append(DecodeWarning("unknown-field", pathString(w), unknownFieldMessage))
                writeField(child, tail: noMeaning, &w)
            }
            w.path.truncate(to: pathLength)
            child = m.next
        }
        return true
    }

    private func walkArray(_ e: Int, element: Int, _ w: inout Walk) -> Bool {
        let pathLength = w.path.count
        var child = e + 1
        for i in 0..<w.entries[e].count {
            JSONPath.appendIndex(i, to: &w.path)
            guard visit(child, node: element, &w) else { return false }
            w.path.truncate(to: pathLength)
            child = w.entries[child].next
        }
        return true
    }

    /// `RecordAnnotator.visit`, on the tape.
    private func visit(_ i: Int, node n: Int, _ w: inout Walk) -> Bool {
        let node = nodes[n]
        let v = w.entries[i]
        let container = v.kind == .object || v.kind == .array
        if container, node.isParent {
            // (The spec's type is read once, when the schema is compiled: `specs` is shared
            // between threads, and reading it here retained its strings for every record.)
            if let expected = node.expects, expected != v.kind {
                w.record.warnings.append(DecodeWarning("wrong-type", pathString(w),
                                                       "expected \(expected == .array ? "an array" : "an object"), got \(v.kind == .object ? "object" : "array")"))
            }
            if v.kind == .array, v.count == 0 {
                writeField(i, tail: node.spec >= 0 ? rendered(.emptyTail, node.spec) : noMeaning, &w)
            }
            return v.kind == .object ? walkObject(i, level: node.members, &w) : walkArray(i, element: node.element, &w)
        }
        if node.isElement, node.spec < 0, !container {
            writeField(i, tail: noMeaning, &w)
            return true
        }
        leaf(i, spec: node.spec, &w)
        return true
    }

    /// `RecordAnnotator.annotateLeaf`, with the common cases answered from pre-rendered bytes.
    private func leaf(_ i: Int, spec s: Int, _ w: inout Walk) {
        if let tail = usualTail(i, spec: s, &w) { return writeField(i, tail: tail, &w) }
        unusualLeaf(i, spec: s, &w)
    }

    /// The pre-rendered tail of the most common leaves (a string the spec takes as it is, null, a
    /// small code met before), or nil for `unusualLeaf` to answer.
    @inline(__always)
    private func usualTail(_ i: Int, spec s: Int, _ w: inout Walk) -> UnsafeBufferPointer<UInt8>? {
        guard s >= 0 else { return noMeaning }
        let v = w.entries[i]
        let rule = rules[s]
        if v.kind == .string, rule.string { return rendered(.plainTail, s) }
        if v.kind == .null { return rendered(.nullTail, s) }
        if rule.cached, let n = smallCode(v, w.bytes) {
            let hit = Int(smallTails[s * ByteAnnotator.smallCodes + n])
            if hit >= 0 { return cachedTails[hit] }
        }
        return nil
    }

    /// `leaf` for the rest (a spec, and not a string it takes as it is, nor null).
    private func unusualLeaf(_ i: Int, spec s: Int, _ w: inout Walk) {
        let v = w.entries[i]
        let rule = rules[s]
        if v.kind == .object || v.kind == .array {
            // RecordAnnotator.annotateLeaf: a container where the spec allows one has the spec's meaning.
            if rule.container { return writeField(i, tail: rendered(.plainTail, s), &w) }
            return slowLeaf(i, spec: s, cacheAs: false, &w)
        }
        // Codes repeat; an epoch of 0 is "0 = not set" in every record.
        if rule.cached || (rule.epoch != 0 && v.kind == .number && v.end - v.start == 1 && w.bytes[v.start] == UInt8(ascii: "0")) {
            if let n = smallCode(v, w.bytes) {
                let hit = Int(smallTails[s * ByteAnnotator.smallCodes + n])
                if hit >= 0 { return writeField(i, tail: cachedTails[hit], &w) }
                return slowLeaf(i, spec: s, cacheAs: true, &w)
            }
            if let hit = cachedCode(s, UnsafeBufferPointer(rebasing: w.bytes[v.start..<v.end])) {
                return writeField(i, tail: cachedTails[hit], &w)
            }
            return slowLeaf(i, spec: s, cacheAs: true, &w)
        }
        if rule.duration != 0 {
            // RecordAnnotator.unitText: an integer of at most 15 digits has no warning to give.
            guard v.kind == .number, let n = smallInteger(v, w.bytes) else { return slowLeaf(i, spec: s, cacheAs: false, &w) }
            writeMeaningStart(i, &w)
            if rule.duration == 1 {
                TimeFormat.appendDuration(seconds: n, into: &w.out)
            } else {
                TimeFormat.appendDuration(milliseconds: n, into: &w.out)
            }
            return writeFieldEnd(rendered(.meaningSuffix, s), &w)
        }
        if rule.epoch != 0, v.kind == .number, let n = smallInteger(v, w.bytes), n != 0 {
            // RecordAnnotator.unitText without its warnings: milliseconds where they are expected.
            let big = n >= 100_000_000_000
            if (rule.epoch == 1 && !big) || (rule.epoch == 2 && big) || rule.epoch == 3 {
                writeMeaningStart(i, &w)
                let seconds = big ? n / 1000 : n
                TimeFormat.appendISO8601(seconds, to: &w.out, dates: &dates)
                if let zone = annotator.zoneMinutes, zone != 0 {
                    w.out.append(literal: " · ")
                    TimeFormat.appendTimeOfDay(seconds, offsetMinutes: zone, to: &w.out, dates: &dates)
                    w.out.append(literal: " local")
                }
                return writeFieldEnd(rendered(.meaningSuffix, s), &w)
            }
        }
        if rule.localTime, v.kind == .string, v.plain, v.end - v.start == 21 {
            let text = UnsafeBufferPointer(rebasing: w.bytes[(v.start + 1)..<(v.end - 1)])
            let offset = localOffset[s]
            if let utc = TimeFormat.sameDayInUTC(local: text, offsetMinutes: offset) {
                writeMeaningStart(i, &w)
                TimeFormat.writeLocalAndUTC(local: text, offsetMinutes: offset, utcMinutes: utc, to: &w.out)
                w.out.append(contentsOf: rendered(.localAssumed, s))
                return writeFieldEnd(rendered(.meaningSuffix, s), &w)
            }
            if let epoch = TimeFormat.parseLocal(bytes: text, offsetMinutes: offset) {
                writeMeaningStart(i, &w)
                TimeFormat.appendISO8601(epoch, offsetMinutes: offset, to: &w.out, dates: &dates)
                w.out.append(literal: " = ")
                TimeFormat.appendISO8601(epoch, to: &w.out, dates: &dates)
                w.out.append(contentsOf: rendered(.localAssumed, s))
                return writeFieldEnd(rendered(.meaningSuffix, s), &w)
            }
        }
        var plain = false
        switch v.kind {
        case .trueValue, .falseValue: plain = rule.bool
        case .number:
            let digits = v.end - v.start - (w.bytes[v.start] == UInt8(ascii: "-") ? 1 : 0)
            plain = rule.number && digits < 16 && !(rule.integerOnly && !isInteger(v, w.bytes))
        default: break
        }
        if plain, !rule.converted { return writeField(i, tail: rendered(.plainTail, s), &w) }
        slowLeaf(i, spec: s, cacheAs: false, &w)
    }

    /// The number of the tail cached for spec `s` and a value written `token`, if any.
    @inline(__always)
    private func cachedCode(_ s: Int, _ token: UnsafeBufferPointer<UInt8>) -> Int? {
        let short = ShortToken(token)
        if let short, let hit = recentCodes[s].find(short) { return hit }
        guard let hit = cacheTables[s]._withUnsafeGuaranteedRef({ $0.lookup(token, token.indices) }) else { return nil }
        if let short { recentCodes[s].remember(short, hit) }
        return hit
    }

    /// One value through `RecordAnnotator.annotateLeaf`; its meaning is cached when asked and
    /// nothing was wrong with it.
    private func slowLeaf(_ i: Int, spec s: Int, cacheAs: Bool, _ w: inout Walk) {
        let value = ByteAnnotator.value(i, w.bytes, w.entries)
        let warnings = w.record.warnings.count
        let field = annotator.annotateLeaf(value, spec: specs[s], path: pathString(w), into: &w.record)
        var tail = Array(#","meaning":"#.utf8)
        DecodedRecord.string(field.meaning, into: &tail)
        if let note = field.note {
            tail += Array(#","note":"#.utf8)
            DecodedRecord.string(note, into: &tail)
        }
        if cacheAs, w.record.warnings.count == warnings, cache[s].count < ByteAnnotator.cacheLimit {
            if let n = smallCode(w.entries[i], w.bytes) {
                smallTails[s * ByteAnnotator.smallCodes + n] = Int32(cachedTails.count)
                cachedTails.append(tail)
            } else if rules[s].cached {
                // (Only these specs have a table of their own.)
                cache[s].insert(w.bytes, w.entries[i].start..<w.entries[i].end, value: cachedTails.count)
                cachedTails.append(tail)
            }
        }
        tail.withUnsafeBufferPointer { writeField(i, tail: $0, &w) }
    }

    // MARK: - Writing

    @inline(__always)
    private func writeField(_ i: Int, tail: UnsafeBufferPointer<UInt8>, _ w: inout Walk) {
        let v = w.entries[i]
        guard ByteAnnotator.standsAsWritten(v) else {
            writeFieldStart(i, &w)
            w.out.append(contentsOf: tail)
            w.out.append(UInt8(ascii: "}"))
            return
        }
        let value = UnsafeBufferPointer(rebasing: w.bytes[v.start..<v.end])
        appendHead(value, extra: tail.count, &w)
        w.out.appendReserved(contentsOf: tail)
        w.out.appendReserved(UInt8(ascii: "}"))
    }

    /// `{"path":…,"value":…,"meaning":"` of a value written as it stands (a number, a plain
    /// string), whose meaning the caller writes inside the quotes.
    @inline(__always)
    private func writeMeaningStart(_ i: Int, _ w: inout Walk) {
        let v = w.entries[i]
        appendHead(UnsafeBufferPointer(rebasing: w.bytes[v.start..<v.end]), extra: 12, &w)
        w.out.appendReserved(literal: #","meaning":""#)
    }

    /// A field's `{"path":…,"value":` and its value written as it stands (after a comma but for the
    /// first field), with room made once for it, the closing brace and `extra` bytes more.
    @inline(__always)
    private func appendHead(_ value: UnsafeBufferPointer<UInt8>, extra: Int, _ w: inout Walk) {
        let head = pathEnd(w)
        // The comma, `{"path":"`, and the closing brace `writeField` appends.
        w.out.reserve(11 + w.path.count + head.count + value.count + extra)
        if !w.firstField { w.out.appendReserved(UInt8(ascii: ",")) }
        w.firstField = false
        w.out.appendReserved(literal: #"{"path":""#)
        w.out.appendReserved(contentsOf: w.path.bytes)
        w.out.appendReserved(contentsOf: head)
        w.out.appendReserved(contentsOf: value)
    }

    /// What follows `w.path` up to the field's value: the pending member's name and `","value":`.
    @inline(__always)
    private func pathEnd(_ w: Walk) -> UnsafeBufferPointer<UInt8> {
        if w.pending >= 0 { return heads[2 &* w.pending &+ (w.path.count == 0 ? 1 : 0)] }
        return UnsafeBufferPointer(start: ByteAnnotator.headTail.utf8Start, count: ByteAnnotator.headTail.utf8CodeUnitCount)
    }

    /// `{"path":…,"value":…` of a value not written as it stands (a container, an escaped
    /// string), whose meaning the caller writes.
    private func writeFieldStart(_ i: Int, _ w: inout Walk) {
        if !w.firstField { w.out.append(UInt8(ascii: ",")) }
        w.firstField = false
        w.out.append(literal: #"{"path":""#)
        w.out.append(contentsOf: w.path.bytes)
        w.out.append(contentsOf: pathEnd(w))
        ByteAnnotator.writeCompact(i, w.bytes, w.entries, into: &w.out)
    }

    /// Closes a meaning written inside its quotes (with the spec's own meaning after it) and the field.
    @inline(__always)
    private func writeFieldEnd(_ suffix: UnsafeBufferPointer<UInt8>, _ w: inout Walk) {
        w.out.append(contentsOf: suffix)
        w.out.append(literal: #""}"#)
    }

    /// A number, a literal, a plain string or a container with nothing but those in it, written
    /// compact: `JSONWriter.compact` writes it as it stands (most values; see `JSONTape.Entry.plain`).
    @inline(__always)
    private static func standsAsWritten(_ v: JSONTape.Entry) -> Bool { v.plain }

    /// The value of a number written as digits alone, below `smallCodes` (JSON has no leading
    /// zeros, and a minus sign is excluded: one text per value), or nil.
    @inline(__always)
    private func smallCode(_ v: JSONTape.Entry, _ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard v.kind == .number, bytes[v.start] != UInt8(ascii: "-"),
              let n = TapeReader.integer(v, bytes, maxDigits: 3), n < ByteAnnotator.smallCodes else { return nil }
        return Int(n)
    }

    /// An integer of at most 15 digits (so no unsafe-integer warning), or nil.
    private func smallInteger(_ v: JSONTape.Entry, _ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        TapeReader.integer(v, bytes, maxDigits: 15)
    }

    /// The value at entry `i` as `JSONWriter.compact` writes it.
    static func writeCompact<Out: ByteAppending>(_ i: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ entries: UnsafeBufferPointer<JSONTape.Entry>,
                                                 into out: inout Out) {
        let v = entries[i]
        switch v.kind {
        case .object, .array:
            let object = v.kind == .object
            out.append(object ? UInt8(ascii: "{") : UInt8(ascii: "["))
            var child = i + 1
            for k in 0..<v.count {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                if object {
                    let m = entries[child]
                    if m.keyPlain {
                        out.append(UInt8(ascii: "\""))
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[m.keyStart..<m.keyEnd]))
                        out.append(UInt8(ascii: "\""))
                    } else if case .string(let key)? = try? JSONParser.parse(bytes: Array(bytes[(m.keyStart - 1)...m.keyEnd])) {
                        DecodedRecord.string(key, into: &out)
                    }
                    out.append(UInt8(ascii: ":"))
                }
                writeCompact(child, bytes, entries, into: &out)
                child = entries[child].next
            }
            out.append(object ? UInt8(ascii: "}") : UInt8(ascii: "]"))
        case .string where !v.plain:
            if case .string(let text) = value(i, bytes, entries) { DecodedRecord.string(text, into: &out) }
        default:
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[v.start..<v.end]))
        }
    }

    /// The value at entry `i`, built.
    static func value(_ i: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ entries: UnsafeBufferPointer<JSONTape.Entry>) -> JSONValue {
        let v = entries[i]
        switch v.kind {
        case .null: return .null
        case .trueValue: return .bool(true)
        case .falseValue: return .bool(false)
        case .number: return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[v.start..<v.end]), as: UTF8.self))
        case .string where v.plain:
            return .string(String(decoding: UnsafeBufferPointer(rebasing: bytes[(v.start + 1)..<(v.end - 1)]), as: UTF8.self))
        case .string:
            return (try? JSONParser.parse(bytes: Array(bytes[v.start..<v.end]))) ?? .null
        case .array:
            // Built from the tape: the text was validated once already.
            var items: [JSONValue] = []
            items.reserveCapacity(v.count)
            var child = i + 1
            for _ in 0..<v.count {
                items.append(value(child, bytes, entries))
                child = entries[child].next
            }
            return .array(items)
        case .object:
            var members: [JSONMember] = []
            members.reserveCapacity(v.count)
            var child = i + 1
            for _ in 0..<v.count {
                let m = entries[child]
                let key: String
                if m.keyPlain {
                    key = String(decoding: UnsafeBufferPointer(rebasing: bytes[m.keyStart..<m.keyEnd]), as: UTF8.self)
                } else if case .string(let text)? = try? JSONParser.parse(bytes: Array(bytes[(m.keyStart - 1)...m.keyEnd])) {
                    key = text
                } else {
                    key = ""
                }
                members.append(JSONMember(key, value(child, bytes, entries)))
                child = m.next
            }
            return .object(members)
        }
    }

    @inline(__always)
    private func appendKey(_ m: JSONTape.Entry, _ w: inout Walk) {
        if w.path.count > 0 { w.path.append(UInt8(ascii: ".")) }
        w.path.append(contentsOf: UnsafeBufferPointer(rebasing: w.bytes[m.keyStart..<m.keyEnd]))
    }

    private func pathString(_ w: Walk) -> String {
        let path = String(decoding: w.path.bytes, as: UTF8.self)
        guard w.pending >= 0 else { return path }
        let name = heads[2 * w.pending + 1]
        let key = String(decoding: UnsafeBufferPointer(rebasing: name[..<(name.count - ByteAnnotator.headTail.utf8CodeUnitCount)]), as: UTF8.self)
        return path.isEmpty ? key : path + "." + key
    }

    private func sameKey(_ a: JSONTape.Entry, _ b: JSONTape.Entry, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.keyEnd - a.keyStart == b.keyEnd - b.keyStart else { return false }
        var j = b.keyStart
        for i in a.keyStart..<a.keyEnd {
            if bytes[i] != bytes[j] { return false }
            j += 1
        }
        return true
    }

    private func isInteger(_ v: JSONTape.Entry, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for i in v.start..<v.end where bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            return false
        }
        return true
    }

}
