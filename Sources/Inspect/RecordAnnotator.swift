import Adapters
import JSONText

/// Annotates one record against a payload schema: every field's meaning, codes, times and
/// durations in words, and warnings for what is wrong with it.
/// A class: what it compiles is large (a struct of ~1 KB), and as a struct it was copied whole for
/// every call into it from its owner (`ByteAnnotator`), four times per record.
public final class RecordAnnotator {
    let adapter: Adapter
    let payload: PayloadSchema
    let adapters: [Adapter]
    let specs: [String: FieldSpec]
    /// Schema paths that have declared children (so their contents are checked).
    let parents: Set<String>
    let zoneMinutes: Int?
    /// What the schema says about one member or element: its schema path, its spec, and whether
    /// the schema describes its contents.
    struct ChildInfo {
        let schemaPath: String
        let spec: FieldSpec?
        let isParent: Bool
        let isElement: Bool
    }

    /// For each object's schema path, its members by key (no string building per field).
    let children: [String: [String: ChildInfo]]
    /// The required fields, each with its parent's path and its own key.
    let required: [(spec: FieldSpec, parent: String, key: String)]
    /// Their keys alone (read for every record; an element of `required` is copied whole).
    let requiredKeys: [MemberName]
    /// Meanings of code values already looked up, by field path and code.
    private var meaningCache = MeaningCache()
    /// A transcript turn's speaker as written out, and a summary's result code with its meaning,
    /// by the value's bytes as written.
    private var speakerCache = TokenCache<[UInt8]>()
    private var resultCache = TokenCache<(code: String, meaning: String?)>()
    /// Whether a summary's answered value means answered, by the value's bytes as written.
    private var answeredCache = TokenCache<Bool>()
    /// A path's bytes, kept from record to record (`withPathBuffer`).
    @exclusivity(unchecked) private var pathBuffer = OutputBuffer(capacity: 64)
    /// (Checked in debug builds.)
    @exclusivity(unchecked) private var pathBufferInUse = false
    /// The code table of the summary's result field, found once (every record's summary reads it).
    let resultTable: CodeTable?
    /// The transcript's speaker table and whether its offsets are milliseconds, found once.
    let speakerTable: CodeTable?
    let offsetsInMilliseconds: Bool
    /// The members of a transcript turn.
    let turnNames: (text: MemberName, speaker: MemberName?, offset: MemberName?)?
    /// The timeline's events in order, each with the field it is read from and how its value is read.
    let timelineEvents: [TimelineEvent]
    /// The timeline's duration member, checked against end − answer.
    let elapsedName: MemberName?
    /// The paths read in every record, split once: required fields' parents, the transcript's
    /// list, the timeline's holders, the summary's result, duration and answered.
    let requiredParents: [JSONPath.Compiled?]
    let transcriptPath: JSONPath.Compiled?
    let timelineHolders: JSONPath.Compiled?
    let summaryPaths: (result: JSONPath.Compiled, duration: JSONPath.Compiled?, answered: JSONPath.Compiled?)?
    /// The summary's answered values and whether the payload has a timeline, kept apart from
    /// `payload` (reading them there copied its whole spec for every record).
    let answeredValues: [String]
    let hasTimeline: Bool

    /// The same compiled annotator with an empty cache of its own, for another thread.
    func forked() -> RecordAnnotator { RecordAnnotator(forking: self) }

    /// `forked()` for a thread that runs beside this one's: what is read for every record — the
    /// adapter and payload (given: copies of this one's that share no storage with it), the code
    /// tables, the paths and names — is its own; what only a record out of the ordinary reads
    /// (the specs, the tree walk's tables) is shared.
    func forked(reading adapter: Adapter, _ payload: PayloadSchema, adapters: [Adapter]) -> RecordAnnotator {
        RecordAnnotator(forking: self, adapter: (adapter, payload, adapters))
    }

    /// `other`'s compiled parts, with caches of its own (and with `own`, those read for every
    /// record of its own too).
    private init(forking other: RecordAnnotator, adapter own: (Adapter, PayloadSchema, [Adapter])? = nil) {
        adapter = own?.0 ?? other.adapter
        payload = own?.1 ?? other.payload
        adapters = own?.2 ?? other.adapters
        specs = other.specs
        parents = other.parents
        zoneMinutes = other.zoneMinutes
        children = other.children
        required = other.required
        offsetsInMilliseconds = other.offsetsInMilliseconds
        turnNames = other.turnNames
        elapsedName = other.elapsedName
        answeredValues = other.answeredValues
        hasTimeline = other.hasTimeline
        // With `own`: new storage for each (`map` makes it), the tables from the adapter given.
        let fresh = own != nil
        func path(_ path: JSONPath.Compiled?) -> JSONPath.Compiled? { fresh ? path?.unshared : path }
        requiredKeys = fresh ? other.requiredKeys.map { $0 } : other.requiredKeys
        timelineEvents = fresh ? other.timelineEvents.map { $0 } : other.timelineEvents
        requiredParents = fresh ? other.requiredParents.map { $0?.unshared } : other.requiredParents
        transcriptPath = path(other.transcriptPath)
        timelineHolders = path(other.timelineHolders)
        if let paths = other.summaryPaths, fresh {
            summaryPaths = (paths.result.unshared, path(paths.duration), path(paths.answered))
        } else {
            summaryPaths = other.summaryPaths
        }
        if let own {
            resultTable = RecordAnnotator.resultTable(own.1, other.specs, adapter: own.0, adapters: own.2)
            speakerTable = RecordAnnotator.speakerTable(own.1, other.specs, adapter: own.0, adapters: own.2)
        } else {
            resultTable = other.resultTable
            speakerTable = other.speakerTable
        }
    }

    /// The code table of the summary's result, if its spec names one.
    private static func resultTable(_ payload: PayloadSchema, _ specs: [String: FieldSpec], adapter: Adapter, adapters: [Adapter]) -> CodeTable? {
        let resultSpec = payload.summary.flatMap { specs[JSONPath.schemaPath($0.result)] }
        return resultSpec?.table.flatMap { name in RecordAnnotator.resolveTable(name, adapter: adapter, adapters: adapters)?.0 }
    }

    /// The code table of the transcript's speakers, if their spec names one.
    private static func speakerTable(_ payload: PayloadSchema, _ specs: [String: FieldSpec], adapter: Adapter, adapters: [Adapter]) -> CodeTable? {
        let turn = payload.transcript.map { $0.path + "[]." }
        return payload.transcript?.speaker.flatMap { specs[turn! + $0]?.table }
            .flatMap { name in RecordAnnotator.resolveTable(name, adapter: adapter, adapters: adapters)?.0 }
    }

    public init(adapter: Adapter, payload: PayloadSchema, adapters: [Adapter]) {
        self.adapter = adapter
        self.payload = payload
        self.adapters = adapters
        var specs: [String: FieldSpec] = [:]
        var parents = Set<String>()
        for field in payload.fields {
            specs[field.path] = field
            // Every prefix before a "." (without a trailing "[]"), and the part before the first "[]"
            // (bytes, not Characters: paths are read once per payload, for every payload).
            let bytes = Array(field.path.utf8)
            func prefix(_ end: Int) -> String { String(decoding: bytes[..<end], as: UTF8.self) }
            for (i, b) in bytes.enumerated() where b == UInt8(ascii: ".") {
                let end = i >= 2 && bytes[i - 2] == UInt8(ascii: "[") && bytes[i - 1] == UInt8(ascii: "]") ? i - 2 : i
                parents.insert(prefix(end))
            }
            if let open = bytes.indices.first(where: { $0 + 1 < bytes.count && bytes[$0] == UInt8(ascii: "[") && bytes[$0 + 1] == UInt8(ascii: "]") }) {
                parents.insert(prefix(open))
            }
        }
        self.specs = specs
        self.parents = parents
        var children: [String: [String: ChildInfo]] = [:]
        for path in Set(specs.keys).union(parents) {
            let (parent, key) = RecordAnnotator.splitLast(path)
            children[parent, default: [:]][key] = ChildInfo(schemaPath: path, spec: specs[path], isParent: parents.contains(path), isElement: false)
        }
        self.children = children
        zoneMinutes = adapter.timezone.flatMap(TimeZoneOffset.minutes)
        required = payload.fields.filter(\.required).map { spec in
            let (parent, key) = RecordAnnotator.splitLast(spec.path)
            return (spec, parent, key)
        }
        resultTable = RecordAnnotator.resultTable(payload, specs, adapter: adapter, adapters: adapters)
        speakerTable = RecordAnnotator.speakerTable(payload, specs, adapter: adapter, adapters: adapters)
        let turn = payload.transcript.map { $0.path + "[]." }
        offsetsInMilliseconds = payload.transcript?.offset.flatMap { specs[turn! + $0]?.unit } == "milliseconds"
        requiredParents = required.map { $0.parent.isEmpty ? nil : JSONPath.Compiled($0.parent) }
        requiredKeys = required.map { MemberName($0.key) }
        turnNames = payload.transcript.map { (MemberName($0.text), $0.speaker.map(MemberName.init), $0.offset.map(MemberName.init)) }
        transcriptPath = payload.transcript.map { JSONPath.Compiled($0.path) }
        timelineHolders = payload.timeline?.each.map { JSONPath.Compiled($0) }
        elapsedName = payload.timeline?.elapsed.map(MemberName.init)
        summaryPaths = payload.summary.map { (JSONPath.Compiled($0.result), $0.duration.map(JSONPath.Compiled.init), $0.answered.map(JSONPath.Compiled.init)) }
        answeredValues = payload.summary?.answeredValues ?? []
        hasTimeline = payload.timeline != nil
        if let t = payload.timeline {
            let schemaPrefix = t.each.map { $0 + (specs[$0]?.type == "array" ? "[]." : ".") } ?? ""
            let zone = zoneMinutes
            let fields: [(TimelineEvent.Role, String?)] = [(.originate, t.originate), (.ring, t.ring), (.answer, t.answer), (.end, t.end)]
            timelineEvents = fields.compactMap { role, field in
                field.map { field in
                    let spec = specs[schemaPrefix + field]
                    return TimelineEvent(role: role, field: field, spec: spec, offsetMinutes: spec?.zone.flatMap(TimeZoneOffset.minutes) ?? zone ?? 0)
                }
            }
        } else {
            timelineEvents = []
        }
    }

    public func annotate(_ record: JSONValue, detection: Detection? = nil) -> DecodedRecord {
        var out = DecodedRecord(vendor: adapter.id, kind: payload.kind, title: payload.title, confidence: detection?.confidence ?? "forced",
                                fingerprintMatched: detection?.matched ?? 0, fingerprintSize: payload.fingerprint.count,
                                fields: [], warnings: [], transcript: [], timelines: [])
        guard case .object = record else {
            out.warnings.append(DecodeWarning("wrong-type", "", "a \(payload.kind) record is a JSON object, not \(record.typeName)"))
            return out
        }
        walk(record, path: "", schemaPath: "", into: &out)
        checkWhole(ValueReader(), record, into: &out)
        return out
    }

    /// What is checked on the record as a whole once its fields are annotated: required fields,
    /// the transcript, the timelines, the summary values. (`finishStreamed` does the same on a
    /// streamed record's tape.)
    func checkWhole(_ reader: ValueReader, _ record: JSONValue, into out: inout DecodedRecord) {
        checkRequired(reader, record, into: &out)
        transcript(reader, record, into: &out)
        timelines(reader, record, into: &out)
        summarize(reader, record, into: &out)
    }

    /// `checkWhole` on a streamed record's tape, then the record's tail after its fields, with
    /// the transcript and the timelines written straight to `out` (the timelines kept in
    /// `timelines`, a buffer the caller reuses, until the warnings before them are written).
    func finishStreamed(_ reader: TapeReader, into record: inout DecodedRecord, out: inout OutputBuffer, timelines: inout OutputBuffer) {
        checkRequired(reader, 0, into: &record)
        timelines.removeAll()
        var count = 0
        self.timelines(reader, 0, into: &record) { _, path, moments in
            if count > 0 { timelines.append(UInt8(ascii: ",")) }
            writeTimeline(path: path, moments, into: &timelines)
            count += 1
        }
        summarize(reader, 0, into: &record)
        record.writeTail(into: &out, writeTranscript: { writeTranscript(reader, 0, into: &$0) }, writeTimelines: { out in
            guard count > 0 else { return }
            out.append(literal: #","timeline":["#)
            out.append(contentsOf: timelines.bytes)
            out.append(UInt8(ascii: "]"))
        })
    }

    /// The member of the record a `JSONPath` starts at: `a[].b.c` -> `a`.
    static func topLevelKey(_ path: String) -> String {
        let head = path.prefix { $0 != "." }
        return String(head.hasSuffix("[]") ? head.dropLast(2) : head)
    }

    /// Only what a one-line summary needs (vendor, kind, result and its meaning, duration) and the
    /// record's top-level id fields, without annotating every field: for servers that summarise
    /// each delivery and keep the raw bytes for a full decode later.
    public func summary(_ record: JSONValue, detection: Detection? = nil) -> DecodedRecord {
        var out = DecodedRecord(vendor: adapter.id, kind: payload.kind, title: payload.title, confidence: detection?.confidence ?? "forced",
                                fingerprintMatched: detection?.matched ?? 0, fingerprintSize: payload.fingerprint.count,
                                fields: [], warnings: [], transcript: [], timelines: [])
        guard case .object(let members) = record else { return out }
        for member in members where RecordAnnotator.isCallID(member.key) {
            out.fields.append(AnnotatedField(path: member.key, value: member.value, meaning: nil))
        }
        summarize(ValueReader(), record, into: &out)
        return out
    }

    /// A member name that holds a call's id: ends in "callid" or is "call_id", in any case (ASCII).
    static func isCallID(_ name: String) -> Bool {
        var name = name
        return name.withUTF8(isCallID)
    }

    static func isCallID(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        func lower(_ a: UInt8) -> UInt8 { a >= 0x41 && a <= 0x5A ? a | 0x20 : a }
        guard let last = name.last, lower(last) == UInt8(ascii: "d") else { return false }
        func matches(_ suffix: StaticString, whole: Bool) -> Bool {
            let n = suffix.utf8CodeUnitCount
            guard name.count >= n, !whole || name.count == n else { return false }
            let tail = name.count - n
            return (0..<n).allSatisfy { lower(name[tail + $0]) == suffix.utf8Start[$0] }
        }
        return matches("callid", whole: false) || matches("call_id", whole: true)
    }

    // MARK: - Fields

    private func walk(_ value: JSONValue, path: String, schemaPath: String, into out: inout DecodedRecord) {
        switch value {
        case .object(let members):
            var seen = Set<String>(minimumCapacity: members.count)
            for member in members where !seen.insert(member.key).inserted {
                out.warnings.append(DecodeWarning("duplicate-key", join(path, member.key),
                                                  "\"\(member.key)\" appears more than once; parsers disagree on which value wins"))
            }
            let known = children[schemaPath]
            for member in members {
                let childPath = join(path, member.key)
                if let info = known?[member.key] {
                    visit(member.value, path: childPath, info: info, into: &out)
                } else {
                    out.warnings.append(DecodeWarning("unknown-field", childPath, "not a field of \(adapter.id) \(payload.kind)"))
                    out.fields.append(AnnotatedField(path: childPath, value: member.value, meaning: nil))
                }
            }
        case .array(let items):
            let elementPath = schemaPath + "[]"
            let info = ChildInfo(schemaPath: elementPath, spec: specs[elementPath], isParent: parents.contains(schemaPath), isElement: true)
            for (i, item) in items.enumerated() {
                visit(item, path: "\(path)[\(i)]", info: info, into: &out)
            }
        default:
            break
        }
    }

    private func visit(_ value: JSONValue, path: String, info: ChildInfo, into out: inout DecodedRecord) {
        let container: Bool
        switch value { case .object, .array: container = true; default: container = false }
        if container, info.isParent {
            if let spec = info.spec { checkContainerType(value, spec: spec, path: path, into: &out) }
            if case .array(let items) = value, items.isEmpty {
                out.fields.append(AnnotatedField(path: path, value: value, meaning: info.spec.flatMap { meaningText(["empty"], $0) }))
            }
            walk(value, path: path, schemaPath: info.schemaPath, into: &out)
            return
        }
        if info.isElement, info.spec == nil, !container {
            // An element of a list of plain values (tags, concerns).
            out.fields.append(AnnotatedField(path: path, value: value, meaning: nil))
            return
        }
        out.fields.append(annotateLeaf(value, spec: info.spec, path: path, into: &out))
    }

    func checkContainerType(_ value: JSONValue, spec: FieldSpec, path: String, into out: inout DecodedRecord) {
        switch (spec.type, value) {
        case ("array", .object), ("object", .array):
            out.warnings.append(DecodeWarning("wrong-type", path, "expected \(spec.type == "array" ? "an array" : "an object"), got \(value.typeName)"))
        default: break
        }
    }

    func annotateLeaf(_ value: JSONValue, spec: FieldSpec?, path: String, into out: inout DecodedRecord) -> AnnotatedField {
        guard let spec else { return AnnotatedField(path: path, value: value, meaning: nil) }
        var parts: [String] = []
        var numberText: String?
        switch value {
        case .null:
            return AnnotatedField(path: path, value: value, meaning: meaningText(["null"], spec))
        case .number(let text):
            numberText = text
            if spec.type == "string" {
                out.warnings.append(DecodeWarning("wrong-type", path, "a string field sent as the number \(text)"))
            } else if spec.type == "integer", text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
                out.warnings.append(DecodeWarning("wrong-type", path, "expected an integer, got \(text)"))
            } else if ["boolean", "array", "object"].contains(spec.type) {
                out.warnings.append(DecodeWarning("wrong-type", path, "expected \(spec.type), got a number"))
            }
            if isUnsafeInteger(text) {
                out.warnings.append(DecodeWarning("unsafe-integer", path,
                                                  "\(text) is above 2^53: JavaScript clients (and JSON.parse) silently change it; send it as a string"))
            }
        case .string(let s):
            if spec.type == "integer" || spec.type == "number" {
                if !s.isEmpty, Int64(s) != nil || Double(s) != nil {
                    out.warnings.append(DecodeWarning("wrong-type", path, "a number sent as the string \"\(s)\""))
                    numberText = s
                } else if !s.isEmpty {
                    out.warnings.append(DecodeWarning("wrong-type", path, "expected \(spec.type), got the string \"\(s)\""))
                }
            } else if spec.type == "boolean" || spec.type == "array" || spec.type == "object" {
                out.warnings.append(DecodeWarning("wrong-type", path, "expected \(spec.type), got a string"))
            }
        case .bool:
            if spec.type != "boolean" && spec.type != "any" {
                out.warnings.append(DecodeWarning("wrong-type", path, "expected \(spec.type), got a boolean"))
            }
        case .object, .array:
            if spec.type != "object" && spec.type != "array" && spec.type != "any" {
                out.warnings.append(DecodeWarning("wrong-type", path, "expected \(spec.type), got \(value.typeName)"))
            }
            return AnnotatedField(path: path, value: value, meaning: meaningText([], spec))
        }
        var note: String?
        if let tableName = spec.table, let code = numberText ?? value.stringValue {
            if code.isEmpty {
                parts.append("(empty)")
            } else if spec.unit == nil, let cached = meaningCache.get(spec.path, code) {
                return AnnotatedField(path: path, value: value, meaning: cached.meaning, note: cached.note)
            } else if let (table, owner) = resolveTable(tableName) {
                if let entry = table.entry(code) {
                    note = entry.hint
                    parts.append(entry.meaning + (entry.attributes["name"].map { " (\($0))" } ?? ""))
                } else {
                    parts.append("not a known \(table.name) code")
                    out.warnings.append(DecodeWarning("unknown-code", path,
                                                      "\(code) is not in \(owner == adapter.id ? "" : owner + " ")\(table.name) (\(table.entries.count) known codes)"))
                }
            }
        }
        if let unit = spec.unit {
            parts += unitText(unit, spec: spec, value: value, numberText: numberText, path: path, into: &out)
        }
        let meaning = meaningText(parts, spec)
        if spec.table != nil, spec.unit == nil, let code = numberText ?? value.stringValue, !code.isEmpty,
           out.warnings.last?.path != path || out.warnings.last?.code != "unknown-code" {
            meaningCache.set(spec.path, code, meaning, note: note)
        }
        return AnnotatedField(path: path, value: value, meaning: meaning, note: note)
    }

    private func unitText(_ unit: String, spec: FieldSpec, value: JSONValue, numberText: String?, path: String,
                          into out: inout DecodedRecord) -> [String] {
        switch unit {
        case "epoch-s", "epoch-ms", "epoch-auto":
            guard let text = numberText, let n = Int64(text) else { return [] }
            if n == 0 { return ["0 = not set"] }
            var seconds = n
            if unit == "epoch-ms" || (unit == "epoch-auto" && n >= 100_000_000_000) {
                seconds = n / 1000
                if unit == "epoch-ms", n < 100_000_000_000 {
                    out.warnings.append(DecodeWarning("timestamp-unit", path, "\(n) looks like seconds, but this field is in milliseconds"))
                    seconds = n
                }
            } else if unit == "epoch-s", n >= 100_000_000_000 {
                out.warnings.append(DecodeWarning("timestamp-unit", path, "\(n) looks like milliseconds, but this field is in seconds"))
                seconds = n / 1000
            }
            return [timeText(seconds)]
        case "datetime-local":
            guard case .string(let s) = value else { return [] }
            let offset = spec.zone.flatMap(TimeZoneOffset.minutes) ?? zoneMinutes ?? 0
            guard let epoch = TimeFormat.parseLocal(s, offsetMinutes: offset) else {
                out.warnings.append(DecodeWarning("wrong-type", path, "\"\(s)\" is not yyyy-MM-dd HH:mm:ss"))
                return []
            }
            let assumed = spec.zone.map { "zone " + $0 } ?? "zone \(TimeFormat.zone(offset))"
            return ["\(TimeFormat.iso8601(epoch, offsetMinutes: offset)) = \(TimeFormat.iso8601(epoch)) (\(assumed))"]
        case "seconds":
            guard let text = numberText, let n = Int64(text) else { return [] }
            return [TimeFormat.duration(seconds: n)]
        case "milliseconds":
            guard let text = numberText, let n = Int64(text) else { return [] }
            return [TimeFormat.duration(milliseconds: n)]
        default:
            return []
        }
    }

    func timeText(_ seconds: Int64) -> String {
        var text = TimeFormat.iso8601(seconds)
        if let zone = zoneMinutes, zone != 0 { text += " · " + TimeFormat.iso8601(seconds, offsetMinutes: zone).dropFirst(11) + " local" }
        return text
    }

    func meaningText(_ parts: [String], _ spec: FieldSpec) -> String? {
        if parts.isEmpty { return spec.meaning.isEmpty ? nil : spec.meaning }
        var all = parts
        if !spec.meaning.isEmpty { all.append(spec.meaning) }
        return all.isEmpty ? nil : all.joined(separator: " — ")
    }

    func resolveTable(_ name: String) -> (CodeTable, String)? { RecordAnnotator.resolveTable(name, adapter: adapter, adapters: adapters) }

    static func resolveTable(_ name: String, adapter: Adapter, adapters: [Adapter]) -> (CodeTable, String)? {
        if let colon = name.firstIndex(of: ":") {
            let owner = String(name[..<colon])
            let table = String(name[name.index(after: colon)...])
            return adapters.first { $0.id == owner }?.table(named: table).map { ($0, owner) }
        }
        return adapter.table(named: name).map { ($0, adapter.id) }
    }

    private func isUnsafeInteger(_ text: String) -> Bool {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard digits.count >= 16, digits.allSatisfy(\.isNumber) else { return false }
        return digits.count > 16 || digits > "9007199254740991"
    }

    private func join(_ a: String, _ b: String) -> String { a.isEmpty ? b : a + "." + b }

    /// "a[].b.c" -> ("a[].b", "c"); "c" -> ("", "c").
    static func splitLast(_ path: String) -> (parent: String, key: String) {
        guard let dot = path.utf8.lastIndex(of: UInt8(ascii: ".")) else { return ("", path) }
        return (String(path[..<dot]), String(path[path.utf8.index(after: dot)...]))
    }

    // MARK: - Required fields

    func checkRequired<R: RecordReader>(_ reader: R, _ record: R.Node, into out: inout DecodedRecord) {
        for i in required.indices {
            let key = requiredKeys[i]
            guard let parentPath = requiredParents[i] else {
                // A member of the record itself (most required fields): no list of parents.
                if reader.isObject(record), reader.member(record, key) == nil {
                    out.warnings.append(missingField(key.text, required[i].spec))
                }
                continue
            }
            // Check inside every existing parent (for `a[].b`: in each element of a).
            var path: [UInt8] = []
            parentPath.forEach(reader, record, path: &path) { path, parent in
                guard reader.isObject(parent), reader.member(parent, key) == nil else { return }
                let parentPath = String(decoding: path, as: UTF8.self)
                out.warnings.append(missingField(parentPath.isEmpty ? key.text : parentPath + "." + key.text, required[i].spec))
            }
        }
    }

    private func missingField(_ path: String, _ spec: FieldSpec) -> DecodeWarning {
        DecodeWarning("missing-field", path, "required field is missing" + (spec.meaning.isEmpty ? "" : " (\(spec.meaning))"))
    }

    // MARK: - Transcript and timeline

    func transcript<R: RecordReader>(_ reader: R, _ record: R.Node, into out: inout DecodedRecord) {
        turns(reader, record) { listPath, index, speaker, offset, text in
            guard let text = reader.string(text) else { return }
            var path = Array(listPath.bytes)
            JSONPath.appendIndex(index, to: &path)
            out.transcript.append(TranscriptTurn(path: String(decoding: path, as: UTF8.self), speaker: speaker.map { speakerName(reader, $0) },
                                                 offset: offset.flatMap { reader.integer($0) }.map(offsetText), text: text))
        }
    }

    /// `,"transcript":[…]` written as `DecodedRecord.writeTail` writes `transcript`, straight from
    /// a record's tape: no turn, and no `String` of a turn's path or text, made on the way; the
    /// speakers written are cached by their bytes. A path is written as it stands: its names are
    /// the tape's, which are plain ASCII (`JSONTape.keysPlainASCII`), so nothing in it needs escaping.
    func writeTranscript(_ reader: TapeReader, _ record: Int, into out: inout OutputBuffer) {
        var count = 0
        turns(reader, record) { listPath, index, speaker, offset, text in
            if count == 0 {
                DecodedRecord.key("transcript", into: &out)
                out.append(UInt8(ascii: "["))
            } else {
                out.append(UInt8(ascii: ","))
            }
            count += 1
            // Each key and its punctuation as one literal (a turn is written for every line).
            out.append(literal: #"{"path":""#)
            out.append(contentsOf: listPath.bytes)
            JSONPath.appendIndex(index, to: &out)
            out.append(literal: #"","speaker":"#)
            if let speaker {
                let token = reader.token(speaker)
                if let written = speakerCache.lookup(token) {
                    out.append(contentsOf: written)
                } else {
                    var bytes: [UInt8] = []
                    DecodedRecord.string(speakerName(reader, speaker), into: &bytes)
                    out.append(contentsOf: bytes)
                    if reader.cacheable(speaker) { speakerCache.insert(token, bytes) }
                }
            } else {
                out.append(literal: "null")
            }
            out.append(literal: #","offset":"#)
            if let n = offset.flatMap({ reader.integer($0) }) {
                out.append(UInt8(ascii: "\""))
                writeOffset(n, into: &out)
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(literal: "null")
            }
            out.append(literal: #","text":"#)
            _ = reader.writeQuoted(text, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        if count > 0 { out.append(UInt8(ascii: "]")) }
    }

    /// Each turn of the transcript that has a text string: the concrete path of its list (in the
    /// buffer, for the call), its index there, and the nodes of its speaker, offset and text.
    private func turns<R: RecordReader>(_ reader: R, _ record: R.Node, _ body: (inout OutputBuffer, Int, R.Node?, R.Node?, R.Node) -> Void) {
        guard let names = turnNames, let transcriptPath else { return }
        withPathBuffer { path in
            transcriptPath.forEach(reader, record, path: &path) { path, list in
                _ = reader.forEachElement(list) { i, turn in
                    let (text, speaker, offset) = reader.members(turn, names.text, names.speaker, names.offset)
                    guard let text, reader.isString(text) else { return }
                    body(&path, i, speaker, offset, text)
                }
            }
        }
    }

    /// A speaker code's meaning from the speaker table, or the code itself.
    private func speakerName<R: RecordReader>(_ reader: R, _ raw: R.Node) -> String {
        let code = reader.string(raw) ?? reader.number(raw) ?? ""
        return speakerTable?.entry(code)?.meaning ?? code
    }

    /// A turn's offset as the transcript shows it: mm:ss.t for milliseconds, else the number.
    private func offsetText(_ n: Int64) -> String {
        offsetsInMilliseconds ? RecordAnnotator.clockOffset(milliseconds: n) : String(n)
    }

    private func writeOffset<Out: ByteAppending>(_ n: Int64, into out: inout Out) {
        if offsetsInMilliseconds {
            RecordAnnotator.writeClockOffset(milliseconds: n, into: &out)
        } else {
            TimeFormat.appendDecimal(Int(n), into: &out)
        }
    }

    /// mm:ss.t of an offset in milliseconds.
    static func clockOffset(milliseconds: Int64) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(12)
        writeClockOffset(milliseconds: milliseconds, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func writeClockOffset<Out: ByteAppending>(milliseconds: Int64, into out: inout Out) {
        let s = milliseconds / 1000
        if milliseconds >= 0, milliseconds < 6_000_000 {
            // Under 100 minutes (every turn of a call): seven bytes, appended at once.
            let minutes = Int(s / 60), seconds = Int(s % 60), tenths = Int(milliseconds % 1000 / 100)
            var word: UInt64 = 0x0030_2E30_303A_3030   // "00:00.0" (little-endian)
            word |= UInt64(minutes / 10) | UInt64(minutes % 10) << 8 | UInt64(seconds / 10) << 24 | UInt64(seconds % 10) << 32
                | UInt64(tenths) << 48
            return withUnsafeBytes(of: word.littleEndian) { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0.bindMemory(to: UInt8.self)[..<7])) }
        }
        TimeFormat.appendPadded(Int(s / 60), into: &out)
        out.append(UInt8(ascii: ":"))
        TimeFormat.appendPadded(Int(s % 60), into: &out)
        out.append(UInt8(ascii: "."))
        TimeFormat.appendDecimal(Int((milliseconds % 1000) / 100), into: &out)
    }

    /// Epoch seconds of a timeline field, by its unit.
    private func epoch<R: RecordReader>(_ reader: R, _ value: R.Node?, _ k: Int) -> Int64? {
        guard let value, timelineEvents[k].described else { return nil }
        if let n = reader.integer(value) {
            guard n > 0 else { return nil }
            let milliseconds = timelineEvents[k].milliseconds
            if milliseconds == .always || (milliseconds == .whenLarge && n >= 100_000_000_000) {
                return n / 1000
            }
            return n
        }
        guard reader.number(value) == nil else { return nil }   // not an integer
        let offset = timelineEvents[k].offsetMinutes
        return reader.withText(value) { TimeFormat.parseLocal(bytes: $0, offsetMinutes: offset) }
    }

    func timelines<R: RecordReader>(_ reader: R, _ record: R.Node, into out: inout DecodedRecord) {
        let zone = zoneMinutes ?? 0
        timelines(reader, record, into: &out) { out, path, moments in
            out.timelines.append(CallTimeline(path: String(decoding: path, as: UTF8.self),
                                              events: moments.map { ("\(timelineEvents[$0.event].name)", $0.epoch) }, zoneMinutes: zone))
        }
    }

    /// The record's timelines, each handed to `found` with its holder's path and its moments (a
    /// streamed record writes them out at once); the timing checks' warnings go to `out`.
    func timelines<R: RecordReader>(_ reader: R, _ record: R.Node, into out: inout DecodedRecord,
                                    _ found: (inout DecodedRecord, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<TimelineMoment>) -> Void) {
        guard hasTimeline else { return }
        guard let each = timelineHolders else { return timeline(reader, record, path: UnsafeBufferPointer(start: nil, count: 0), into: &out, found) }
        withPathBuffer { path in
            each.forEach(reader, record, path: &path) { path, holder in
                let base = path.count
                let isList = reader.forEachElement(holder) { i, item in
                    JSONPath.appendIndex(i, to: &path)
                    timeline(reader, item, path: path.bytes, into: &out, found)
                    path.cutBack(to: base)
                }
                if !isList { timeline(reader, holder, path: path.bytes, into: &out, found) }
            }
        }
    }

    /// `body` with the path buffer kept between records, empty. The transcript and the timelines
    /// take it in turn, never one inside the other.
    private func withPathBuffer<T>(_ body: (inout OutputBuffer) -> T) -> T {
        assert(!pathBufferInUse, "the path buffer is taken once at a time")
        pathBufferInUse = true
        defer { pathBufferInUse = false }
        pathBuffer.removeAll()
        return body(&pathBuffer)
    }

    deinit { pathBuffer.free() }

    /// The timeline of one call (the record, or one of the holders' elements) and its timing checks.
    private func timeline<R: RecordReader>(_ reader: R, _ holder: R.Node, path: UnsafeBufferPointer<UInt8>, into out: inout DecodedRecord,
                                           _ found: (inout DecodedRecord, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<TimelineMoment>) -> Void) {
        withUnsafeTemporaryAllocation(of: TimelineMoment.self, capacity: timelineEvents.count) { moments in
            var count = 0
            for k in timelineEvents.indices {
                guard let e = epoch(reader, reader.member(holder, timelineEvents[k].field), k) else { continue }
                moments[count] = TimelineMoment(event: k, epoch: e)
                count += 1
            }
            guard count >= 2 else { return }
            let events = UnsafeBufferPointer(rebasing: moments[..<count])
            found(&out, path, events)
            timingChecks(reader, holder, path: path, events, into: &out)
        }
    }

    /// Moments out of order, and a duration member that disagrees with end − answer.
    private func timingChecks<R: RecordReader>(_ reader: R, _ holder: R.Node, path: UnsafeBufferPointer<UInt8>,
                                               _ events: UnsafeBufferPointer<TimelineMoment>, into out: inout DecodedRecord) {
        let zone = zoneMinutes ?? 0
        // Made only for a warning: most timelines have none.
        var prefix: String { path.isEmpty ? "" : String(decoding: path, as: UTF8.self) + "." }
        func name(_ m: TimelineMoment) -> String { "\(timelineEvents[m.event].name)" }
        for i in 1..<events.count where events[i].epoch < events[i - 1].epoch {
            out.warnings.append(DecodeWarning("timing", prefix + timelineEvents[events[i].event].field.text,
                                              "\(name(events[i])) (\(TimeFormat.clock(events[i].epoch, offsetMinutes: zone))) is before \(name(events[i - 1])) (\(TimeFormat.clock(events[i - 1].epoch, offsetMinutes: zone)))"))
        }
        if let elapsedName, let answer = events.first(where: { timelineEvents[$0.event].role == .answer }),
           let end = events.first(where: { timelineEvents[$0.event].role == .end }),
           let elapsed = reader.member(holder, elapsedName).flatMap({ reader.integer($0) }) {
            let expected = end.epoch - answer.epoch
            if abs(elapsed - expected) > 1 {
                let t = payload.timeline!
                out.warnings.append(DecodeWarning("timing", prefix + elapsedName.text,
                                                  "\(elapsedName.text) is \(elapsed) s but \(t.end ?? "end") − \(t.answer ?? "answer") is \(expected) s"))
            }
        }
    }

    /// One timeline of a streamed record (`found` of `timelines`) as a record's `timeline` list
    /// holds it. Its path is the tape's names (plain ASCII: `JSONTape.keysPlainASCII`) and
    /// indexes, written as it stands.
    func writeTimeline<Out: ByteAppending>(path: UnsafeBufferPointer<UInt8>, _ moments: UnsafeBufferPointer<TimelineMoment>, into out: inout Out) {
        CallTimeline.writeJSON(path: path, plainPath: true, count: moments.count, zoneMinutes: zoneMinutes ?? 0, into: &out,
                               name: { i, out in out.append(literal: timelineEvents[moments[i].event].name) }, epoch: { moments[$0].epoch })
    }

    // MARK: - Summary values

    func summarize<R: RecordReader>(_ reader: R, _ record: R.Node, into out: inout DecodedRecord) {
        guard let paths = summaryPaths else { return }
        if let value = paths.result.value(reader, record) {
            let result = reader.cached(value, resultCache) {
                let code = reader.string(value) ?? reader.number(value) ?? reader.typeName(value)
                return (code, resultTable?.entry(code)?.meaning)
            }
            out.result = result.code
            out.resultMeaning = result.meaning
        }
        if let d = paths.duration, let value = d.value(reader, record), let n = reader.integer(value) {
            out.durationSeconds = n
        }
        if let a = paths.answered {
            if let value = a.value(reader, record) {
                out.answered = reader.cached(value, answeredCache) { answered(reader.string(value) ?? reader.number(value)) }
            } else {
                out.answered = answered(nil)
            }
        }
    }

    /// Whether a summary's answered value (its text; nil when it is neither a string nor a
    /// number, or missing) means the call was answered.
    private func answered(_ text: String?) -> Bool {
        if !answeredValues.isEmpty { return text.map { answeredValues.contains($0) } ?? false }
        return !(text == nil || text == "" || text == "0")
    }
}

/// Code meanings by field and value ("" for none); a reference type so the annotator can stay a value.
/// Not `Sendable`: a decoder (and so its cache) belongs to one thread; other threads take a `copy()`.
final class MeaningCache {
    struct Entry {
        var meaning: String?
        var note: String?
    }
    private var entries: [String: [String: Entry]] = [:]

    func get(_ field: String, _ code: String) -> Entry? { entries[field]?[code] }
    func set(_ field: String, _ code: String, _ meaning: String?, note: String?) { entries[field, default: [:]][code] = Entry(meaning: meaning, note: note) }
}

/// One moment of a call: which of a payload's `timelineEvents`, and when (epoch seconds).
struct TimelineMoment {
    var event: Int
    var epoch: Int64
}

/// One event of a payload's timeline, compiled from its field's spec.
struct TimelineEvent {
    enum Milliseconds { case never, always, whenLarge }
    enum Role { case originate, ring, answer, end }
    let role: Role
    /// The event's name in pictures and lists (one of the timeline's own words: nothing to escape).
    var name: StaticString {
        switch role {
        case .originate: "originate"
        case .ring: "ring"
        case .answer: "answer"
        case .end: "end"
        }
    }
    let field: MemberName
    /// Whether the schema describes the field (an undescribed one is not read).
    let described: Bool
    /// Whether a number is in milliseconds: epoch-ms always; epoch-auto and epoch-s when it is
    /// too large for seconds.
    let milliseconds: Milliseconds
    /// The UTC offset a local time is read in.
    let offsetMinutes: Int

    init(role: Role, field: String, spec: FieldSpec?, offsetMinutes: Int) {
        self.role = role
        self.field = MemberName(field)
        described = spec != nil
        switch spec?.unit {
        case "epoch-ms": milliseconds = .always
        case "epoch-auto", "epoch-s": milliseconds = .whenLarge
        default: milliseconds = .never
        }
        self.offsetMinutes = offsetMinutes
    }
}
