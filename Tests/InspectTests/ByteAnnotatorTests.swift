import Foundation
import Adapters
import JSONText
import Testing
@testable import Inspect

/// The byte-level annotator must write exactly what the value-tree decoder writes, for every
/// record it accepts; these tests compare the two over every fixture and many variations of them.
@Suite struct ByteAnnotatorTests {
    /// Every record of every bundled fixture (objects and the elements of arrays and NDJSON files).
    static let records: [JSONValue] = {
        var out: [JSONValue] = []
        for adapter in Bundled.adapters {
            let folder = adapter.origin + "/fixtures"
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted() {
                guard let data = FileManager.default.contents(atPath: folder + "/" + name) else { continue }
                let bytes = [UInt8](data)
                let values = name.hasSuffix(".ndjson") ? ((try? JSONParser.parseSequence(bytes: bytes)) ?? [])
                                                       : ((try? JSONParser.parse(bytes: bytes)).map { [$0] } ?? [])
                for value in values {
                    if case .array(let items) = value { out += items } else { out.append(value) }
                }
            }
        }
        return out
    }()

    /// What the value-tree path writes for one line, and its records.
    static func treeOutput(_ line: [UInt8], _ decoder: inout PayloadDecoder) -> ([UInt8], [DecodedRecord])? {
        guard let value = try? JSONParser.parse(bytes: line) else { return nil }
        var out: [UInt8] = []
        let records = decoder.decode(value)
        for record in records {
            record.writeJSON(into: &out)
            out.append(0x0A)
        }
        return (out, records)
    }

    /// Runs both paths over `lines`; returns how many lines the byte path accepted.
    @discardableResult
    static func compare(_ lines: [[UInt8]], vendor: String? = nil, kind: String? = nil,
                        sourceLocation: SourceLocation = #_sourceLocation) -> Int {
        var decoder = PayloadDecoder(adapters: Bundled.adapters, vendor: vendor, kind: kind)
        var fast = LineAnnotator(adapters: Bundled.adapters, vendor: vendor, kind: kind)
        var accepted = 0
        for line in lines {
            var out: [UInt8] = []
            let record = line.withUnsafeBufferPointer { fast.annotate($0, into: &out) }
            guard let record else {
                #expect(out.isEmpty, "a declined line wrote nothing", sourceLocation: sourceLocation)
                continue
            }
            accepted += 1
            guard let (expected, treeRecords) = treeOutput(line, &decoder) else {
                Issue.record("accepted a line the parser rejects: \(String(decoding: line, as: UTF8.self))", sourceLocation: sourceLocation)
                continue
            }
            if out != expected {
                Issue.record("""
                    byte path differs for \(String(decoding: line, as: UTF8.self))
                    tree: \(String(decoding: expected, as: UTF8.self))
                    byte: \(String(decoding: out, as: UTF8.self))
                    """, sourceLocation: sourceLocation)
            }
            guard treeRecords.count == 1, let tree = treeRecords.first else {
                Issue.record("the tree path made \(treeRecords.count) records", sourceLocation: sourceLocation)
                continue
            }
            #expect(record.vendor == tree.vendor && record.kind == tree.kind && record.confidence == tree.confidence, sourceLocation: sourceLocation)
            #expect(record.result == tree.result && record.resultMeaning == tree.resultMeaning, sourceLocation: sourceLocation)
            #expect(record.durationSeconds == tree.durationSeconds && record.answered == tree.answered, sourceLocation: sourceLocation)
            #expect(record.warnings == tree.warnings, sourceLocation: sourceLocation)
            let summary = line.withUnsafeBufferPointer { fast.summary($0) }
            #expect(summary?.result == tree.result && summary?.durationSeconds == tree.durationSeconds
                    && summary?.answered == tree.answered && summary?.resultMeaning == tree.resultMeaning, sourceLocation: sourceLocation)
            // What a listener keeps of a delivery: the same summary plus the call-id members.
            let delivery = line.withUnsafeBufferPointer { fast.summary($0, withIDs: true) }
            let treeDelivery = (try? JSONParser.parse(bytes: line)).flatMap { decoder.summary($0) }
            #expect(delivery != nil && delivery?.vendor == treeDelivery?.vendor && delivery?.kind == treeDelivery?.kind
                    && delivery?.result == treeDelivery?.result && delivery?.resultMeaning == treeDelivery?.resultMeaning
                    && delivery?.durationSeconds == treeDelivery?.durationSeconds && delivery?.answered == treeDelivery?.answered
                    && delivery?.confidence == treeDelivery?.confidence, sourceLocation: sourceLocation)
            #expect(delivery?.fields.map { "\($0.path)=\(JSONWriter.compact($0.value))" } == treeDelivery?.fields.map { "\($0.path)=\(JSONWriter.compact($0.value))" },
                    sourceLocation: sourceLocation)
        }
        return accepted
    }

    @Test func everyFixtureRecordIsAnnotatedFromBytesExactlyAsFromTheTree() {
        // Records recognised as themselves (not envelopes around a list, which the tree unpacks).
        let detector = CompiledDetector(adapters: Bundled.adapters)
        let recognised = Self.records.filter { detector.detect($0) != nil }.map { Array(JSONWriter.compact($0).utf8) }
        #expect(recognised.count >= 25)
        // Every single recognised record takes the byte path (none silently declined).
        #expect(Self.compare(recognised) == recognised.count)
        // Twice through one annotator: the second pass answers from its caches.
        #expect(Self.compare(recognised + recognised) == 2 * recognised.count)
    }

    /// Records of two and three kinds taking turns, through one annotator (which keeps the names
    /// of the last two kinds met instead of detecting each line again).
    @Test func recordsOfKindsTakingTurnsMatchTheTree() {
        let detector = CompiledDetector(adapters: Bundled.adapters)
        let recognised = Self.records.filter { detector.detect($0) != nil }.map { Array(JSONWriter.compact($0).utf8) }
        var lines: [[UInt8]] = []
        for (i, a) in recognised.enumerated() {
            let b = recognised[(i + 1) % recognised.count], c = recognised[(i + 5) % recognised.count]
            lines += [a, b, a, b, a, c, b, a, c, a, b, c]
        }
        #expect(Self.compare(lines) == lines.count)
    }

    /// Every leaf replaced in turn by values that are wrong, odd or escaped.
    @Test func variedLeavesMatchTheTree() {
        let variants: [JSONValue] = [.null, .string(""), .string("17"), .number("17"), .number("1.5"), .number("-0"), .number("1e3"),
                                     .number("12345678901234567890"), .bool(true), .bool(false), .string("é\u{2028}x\u{7F}\"\\/\n"),
                                     .array([]), .object([]), .object([JSONMember("a", .array([.number("1"), .object([JSONMember("b", .string("c"))])]))]),
                                     .string("2025-06-01 10:00:00"), .string("not a time"), .number("1748743200000"), .number("1748743200"),
                                     .string("😀"), .array([.string("x"), .null])]
        var lines: [[UInt8]] = []
        for (r, record) in Self.records.enumerated() {
            for rotation in 0..<3 {
                var counter = r * 7 + rotation * 3
                lines.append(Array(JSONWriter.compact(Self.replaceLeaves(record) { _ in
                    counter += 1
                    return counter % 4 == 0 ? variants[(counter / 4) % variants.count] : nil
                }).utf8))
            }
        }
        let accepted = Self.compare(lines)
        #expect(accepted >= lines.count / 2)
    }

    /// Times moved out of order (timing warnings, a duration that disagrees) and lists of calls
    /// doubled (several timelines in one record): the timelines written straight from the bytes
    /// are the ones the tree writes, and so are their warnings.
    @Test func timelinesAndTheirWarningsMatchTheTree() {
        var lines: [[UInt8]] = []
        for record in Self.records {
            var step = 0
            let shuffled = Self.replaceLeaves(record) { value in
                step += 1
                switch value {
                case .number(let n):
                    guard let v = Int64(n), v > 1_000_000_000 else { return nil }
                    return .number(String(v - Int64(step % 5) * 5_000))
                case .string(let text) where text.count == 19 && text.hasPrefix("20"):
                    // A local time: another hour of the same day, earlier or later.
                    let hour = text.dropFirst(11).prefix(2)
                    return .string(text.prefix(11) + (hour == "10" ? "08" : "10") + text.dropFirst(13))
                default:
                    return nil
                }
            }
            lines.append(Array(JSONWriter.compact(shuffled).utf8))
            lines.append(Array(JSONWriter.compact(Self.doublingLists(shuffled)).utf8))
        }
        #expect(Self.compare(lines) >= lines.count / 2)
        // The variations do what they are for: timing warnings, and records of several timelines.
        var decoder = PayloadDecoder(adapters: Bundled.adapters)
        let records = lines.compactMap { try? JSONParser.parse(bytes: $0) }.flatMap { decoder.decode($0) }
        #expect(records.contains { $0.warnings.contains { $0.code == "timing" } })
        #expect(records.contains { $0.timelines.count > 1 })
    }

    /// Every array of objects with its elements twice.
    static func doublingLists(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members): return .object(members.map { JSONMember($0.key, doublingLists($0.value)) })
        case .array(let items):
            let inner = items.map(doublingLists)
            return .array(inner.contains { if case .object = $0 { true } else { false } } ? inner + inner : inner)
        default: return value
        }
    }

    /// Unknown members, duplicates, whitespace, escapes: the same text in other spellings.
    @Test func spellingsAndStructureMatchTheTree() {
        var lines: [[UInt8]] = []
        for record in Self.records {
            guard case .object(var members) = record, let first = members.first else { continue }
            lines.append(Self.write(record, spaced: true))
            lines.append(Self.write(record, escaped: true))
            members.append(JSONMember("extraField", .object([JSONMember("k", .string("v/w")), JSONMember("list", .array([.number("1"), .null]))])))
            members.append(first)
            members.append(JSONMember("extraField", .string("again")))
            lines.append(Self.write(.object(members), spaced: true))
            lines.append(Array(JSONWriter.compact(.object(members)).utf8))
        }
        let accepted = Self.compare(lines)
        #expect(accepted >= lines.count / 2)
    }

    /// One annotator over records whose members come in changing orders (the annotator guesses
    /// each member from the one at the same place in the last record).
    @Test func memberOrderChangingFromRecordToRecordMatchesTheTree() {
        func reorder(_ value: JSONValue, _ how: Int) -> JSONValue {
            switch value {
            case .object(let members):
                var m = members.map { JSONMember($0.key, reorder($0.value, how)) }
                switch how {
                case 1: m.reverse()
                case 2: if m.count > 1 { m = Array(m[1...] + m[..<1]) }
                case 3: if m.count > 2 { m.remove(at: m.count / 2) }
                case 4: if m.count > 1 { m.swapAt(0, m.count - 1) }
                default: break
                }
                return .object(m)
            case .array(let items): return .array(items.map { reorder($0, how) })
            default: return value
            }
        }
        var lines: [[UInt8]] = []
        for record in Self.records {
            for how in [0, 1, 0, 2, 3, 0, 4, 4] { lines.append(Array(JSONWriter.compact(reorder(record, how)).utf8)) }
        }
        #expect(Self.compare(lines) >= lines.count / 2)
    }

    /// Records that list the same names read a name from the place it was first found in (the
    /// first of a name that appears twice), and records that list other names look again.
    @Test func recordWideReadsFindTheFirstMemberOfANameInEveryShape() {
        var lines: [[UInt8]] = []
        for record in Self.records {
            guard case .object(let members) = record else { continue }
            guard case .object(let altered) = Self.replaceLeaves(.object(members), { value in
                if case .number = value { return .number("7") } else { return nil }
            }) else { continue }
            let padding = (0..<3).map { JSONMember("pad\($0)", .number("0")) }
            for shape in [members, altered + members, altered + members, members, padding + members, padding + members, members + altered] {
                lines.append(Array(JSONWriter.compact(.object(shape)).utf8))
            }
        }
        #expect(Self.compare(lines) >= lines.count / 2)
    }

    /// `transform` applied to every object below the record's own, with its members (themselves
    /// transformed first).
    static func alterNested(_ value: JSONValue, depth: Int = 0, _ transform: ([JSONMember]) -> [JSONMember]) -> JSONValue {
        switch value {
        case .object(let members):
            let inner = members.map { JSONMember($0.key, alterNested($0.value, depth: depth + 1, transform)) }
            return .object(depth > 0 ? transform(inner) : inner)
        case .array(let items): return .array(items.map { alterNested($0, depth: depth + 1, transform) })
        default: return value
        }
    }

    /// Nested objects whose names change while their count stays (a name changed to another of
    /// its length, a name given twice), between records with the usual names: an object with the
    /// names of one of its level's last shapes is walked without looking them up, and each change
    /// must be noticed (an unknown field, a repeated name).
    @Test func nestedObjectsChangingNamesAtTheSameCountMatchTheTree() {
        func renamed(_ m: [JSONMember]) -> [JSONMember] {
            guard let first = m.first else { return m }
            var m = m
            m[0].key = String(first.key.dropLast()) + (first.key.hasSuffix("Z") ? "Y" : "Z")
            return m
        }
        func repeated(_ m: [JSONMember]) -> [JSONMember] {
            guard m.count > 1 else { return m }
            var m = m
            m[1].key = m[0].key
            return m
        }
        var lines: [[UInt8]] = []
        for record in Self.records {
            let variants = [record, Self.alterNested(record, renamed), Self.alterNested(record, repeated)]
            for how in [0, 1, 0, 2, 0, 1, 1, 2, 2, 0] { lines.append(Array(JSONWriter.compact(variants[how]).utf8)) }
        }
        #expect(Self.compare(lines) >= lines.count / 2)
    }

    /// The record-wide reads (timelines, transcripts, summaries) look a name up in a nested
    /// object first where it was in the last record. What sits there now may be a member of a
    /// member, or the second member of that name: neither is taken for the first of the object's own.
    @Test func recordWideReadsTakeTheFirstMemberOfTheObjectItself() {
        func altered(_ value: JSONValue) -> JSONValue {
            Self.replaceLeaves(value) { leaf in
                switch leaf {
                case .number: return .number("7")
                case .string: return .string("x")
                default: return nil
                }
            }
        }
        // Before the members, one holding the others but the first (altered): at the distance of
        // each of them in the last record there is now a member of that name one level down.
        func shadowed(_ m: [JSONMember]) -> [JSONMember] {
            guard m.count > 1 else { return m }
            return [JSONMember("shadow", altered(.object(Array(m[1...]))))] + m
        }
        var lines: [[UInt8]] = []
        for record in Self.records {
            let plain = Array(JSONWriter.compact(record).utf8)
            lines += [plain, Array(JSONWriter.compact(Self.alterNested(record, shadowed)).utf8)]
            // The member before place p given p's name (and its own value, altered): the last
            // record's place of that name now holds its second member.
            for p in 1..<12 {
                let twice = Self.alterNested(record) { m in
                    guard p < m.count else { return m }
                    var m = m
                    m[p - 1] = JSONMember(m[p].key, altered(m[p].value))
                    return m
                }
                lines += [plain, Array(JSONWriter.compact(twice).utf8)]
            }
        }
        #expect(Self.compare(lines) >= lines.count / 2)
    }

    /// Every field is written into room reserved for it: each fixture record written into output
    /// buffers that start at every size up to a few hundred bytes (so that reservations end
    /// exactly at a buffer's end), the reservations checked by `OutputBuffer`'s assertions.
    @Test func fieldsAreWrittenIntoTheRoomReservedForThem() {
        let lines = Self.records.map { Array(JSONWriter.compact($0).utf8) }
        var annotator = LineAnnotator(adapters: Bundled.adapters)
        let expected = lines.map { Self.annotated(&annotator, $0) }
        #expect(expected.filter { !$0.isEmpty }.count >= 25)
        for capacity in 1...400 {
            for (line, written) in zip(lines, expected) where !written.isEmpty {
                var out = OutputBuffer(capacity: capacity)
                defer { out.free() }
                _ = line.withUnsafeBufferPointer { annotator.annotate($0, into: &out) }
                #expect(Array(out.bytes) == written)
            }
        }
    }

    /// Forcing a vendor and kind (the `--vendor --kind` path) and the summary-only path.
    @Test func forcedKindMatchesTheTree() {
        let lines = Self.records.map { Array(JSONWriter.compact($0).utf8) }
        #expect(Self.compare(lines, vendor: "nxlink", kind: "callRecordCallback") >= 10)
    }

    /// What `annotator` writes for `line`.
    static func annotated(_ annotator: inout LineAnnotator, _ line: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        _ = line.withUnsafeBufferPointer { annotator.annotate($0, into: &out) }
        return out
    }

    /// Copies of an annotator (one per worker thread) write exactly what a lone annotator writes,
    /// in any order, with caches of their own, and each payload schema is compiled once for all
    /// of them: a copy made before anything was compiled, and one made after.
    @Test func copiesShareCompiledSchemasAndWriteTheSame() {
        let lines = Self.records.map { Array(JSONWriter.compact($0).utf8) }
        let run = Self.annotated
        var lone = LineAnnotator(adapters: Bundled.adapters)
        let expected = lines.map { run(&lone, $0) }
        #expect(lone.compiledSchemaCount >= 4)
        var first = LineAnnotator(adapters: Bundled.adapters)
        var early = first.copy()
        for i in lines.indices where i % 2 == 0 { #expect(run(&first, lines[i]) == expected[i], "line \(i)") }
        for i in lines.indices where i % 2 == 1 { #expect(run(&early, lines[i]) == expected[i], "line \(i)") }
        var late = first.copy()
        for i in lines.indices.reversed() { #expect(run(&late, lines[i]) == expected[i], "line \(i)") }
        for i in lines.indices { #expect(run(&early, lines[i]) == expected[i], "line \(i)") }
        #expect(first.compiledSchemaCount == lone.compiledSchemaCount)
        #expect(late.compiledSchemaCount == lone.compiledSchemaCount)
    }

    /// An unshared annotator (one per decode lane) writes exactly what the original writes, with
    /// the schemas the original compiled (none compiled again), and reads adapters, code tables
    /// and paths that share no storage with the original's: the same values, other memory.
    @Test func unsharedAnnotatorsWriteTheSameFromMemoryOfTheirOwn() {
        let lines = Self.records.map { Array(JSONWriter.compact($0).utf8) }
        let run = Self.annotated
        var original = LineAnnotator(adapters: Bundled.adapters)
        let expected = lines.map { run(&original, $0) }
        let compiled = original.compiledSchemaCount
        var lane = original.unshared()
        for i in lines.indices.reversed() { #expect(run(&lane, lines[i]) == expected[i], "line \(i)") }
        #expect(lane.compiledSchemaCount == compiled && original.compiledSchemaCount == compiled)
        // The lane's schemas read adapters of their own (copied when first met), and paths of their own.
        func apart<T>(_ a: [T], _ b: [T]) -> Bool {
            a.isEmpty || a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.baseAddress != y.baseAddress } }
        }
        let ownAnnotators = lane.compiledRecordAnnotators, sharedAnnotators = original.compiledRecordAnnotators
        #expect(ownAnnotators.count == sharedAnnotators.count && !ownAnnotators.isEmpty)
        for (own, shared) in zip(ownAnnotators, sharedAnnotators) {
            #expect(own.adapter == shared.adapter && own.payload == shared.payload)
            #expect(apart(own.adapter.codeTables, shared.adapter.codeTables) && apart(own.payload.fields, shared.payload.fields), "\(own.adapter.id)")
            #expect(apart(own.resultTable?.entries ?? [], shared.resultTable?.entries ?? []), "\(own.adapter.id)")
            #expect(apart(own.summaryPaths?.result.segments ?? [], shared.summaryPaths?.result.segments ?? []), "\(own.adapter.id)")
            #expect(apart(own.timelineHolders?.segments ?? [], shared.timelineHolders?.segments ?? []), "\(own.adapter.id)")
            #expect(apart(own.transcriptPath?.segments ?? [], shared.transcriptPath?.segments ?? []), "\(own.adapter.id)")
            #expect(apart(own.timelineEvents, shared.timelineEvents) && apart(own.requiredKeys, shared.requiredKeys), "\(own.adapter.id)")
        }
        for adapter in Bundled.adapters {
            let copy = adapter.unsharedForDecoding()
            #expect(copy == adapter)
            // (An empty array has no storage of its own to compare.)
            #expect(apart(copy.codeTables, adapter.codeTables) && apart(copy.payloads, adapter.payloads), "\(adapter.id)")
            for (a, b) in zip(copy.payloads, adapter.payloads) { #expect(apart(a.fields, b.fields), "\(adapter.id) \(a.kind)") }
            for (a, b) in zip(copy.codeTables, adapter.codeTables) { #expect(apart(a.entries, b.entries), "\(adapter.id) \(a.name)") }
        }
    }

    /// A record reused from line to line (the summary-only path) holds, after each line, what a
    /// record made for that line alone holds: payloads of every vendor interleaved, so that it
    /// is reset within one payload and made again between them.
    @Test func aReusedSummaryRecordHoldsWhatAFreshOneHolds() {
        let lines = Self.records.map { Array(JSONWriter.compact($0).utf8) }
        var fresh = LineAnnotator(adapters: Bundled.adapters)
        var reusing = LineAnnotator(adapters: Bundled.adapters)
        var record = DecodedRecord.none
        var reused = 0
        for line in lines + lines.reversed() + lines.flatMap({ [$0, $0] }) {
            let expected = line.withUnsafeBufferPointer { fresh.summary($0) }
            let before = record
            let taken = line.withUnsafeBufferPointer { reusing.summary($0, into: &record) }
            #expect(taken == (expected != nil))
            if let expected {
                #expect(record == expected)
                if before.vendor == expected.vendor, before.kind == expected.kind { reused += 1 }
            } else {
                #expect(record == before)
            }
        }
        #expect(reused >= lines.count)
    }

    /// A member name is interned: the same text gives the same bytes and slot from any thread,
    /// its bytes are followed by eight zeros (read as words), and other texts get other slots.
    @Test func memberNamesAreInterned() async {
        let texts = ["callId", "callResult", "", "a.b", "名前", String(repeating: "x", count: 300)]
        let made = await withTaskGroup(of: [MemberName].self) { group in
            for _ in 0..<4 { group.addTask { texts.map(MemberName.init) } }
            var all: [[MemberName]] = []
            for await names in group { all.append(names) }
            return all
        }
        for names in made {
            #expect(names.map(\.slot) == made[0].map(\.slot) && names.map(\.bytes) == made[0].map(\.bytes))
            #expect(names.map(\.text) == texts)
            for name in names { #expect((0..<8).allSatisfy { name.bytes[name.length + $0] == 0 }) }
        }
        #expect(Set(made[0].map(\.slot)).count == texts.count)
    }

    /// What the byte path leaves to the tree: non-ASCII member names (which `String` compares by
    /// canonical equivalence), top-level arrays, unrecognised objects, invalid JSON.
    @Test func declinesWhatOnlyTheTreeHandles() {
        var fast = LineAnnotator(adapters: Bundled.adapters)
        guard case .object(var members)? = Self.records.first(where: { if case .object = $0 { return true } else { return false } }) else {
            Issue.record("no fixture object")
            return
        }
        var out: [UInt8] = []
        let plain = Array(JSONWriter.compact(.object(members)).utf8)
        #expect(plain.withUnsafeBufferPointer { fast.annotate($0, into: &out) } != nil)
        members.append(JSONMember("caf\u{E9}", .number("1")))
        for text in [JSONWriter.compact(.object(members)), "[" + String(decoding: plain, as: UTF8.self) + "]", #"{"hello":"world"}"#,
                     String(decoding: plain.dropLast(), as: UTF8.self), #"{"a":1,}"#] {
            out = []
            let bytes = Array(text.utf8)
            #expect(bytes.withUnsafeBufferPointer { fast.annotate($0, into: &out) } == nil, "\(text)")
            #expect(out.isEmpty)
        }
    }

    // MARK: - Helpers

    static func replaceLeaves(_ value: JSONValue, _ replace: (JSONValue) -> JSONValue?) -> JSONValue {
        switch value {
        case .object(let members): return .object(members.map { JSONMember($0.key, replaceLeaves($0.value, replace)) })
        case .array(let items): return .array(items.map { replaceLeaves($0, replace) })
        default: return replace(value) ?? value
        }
    }

    /// JSON text with spaces after ':' and ',' and around brackets, or with every string escaped
    /// as much as JSON allows (`\/`, `\uXXXX` for everything outside printable ASCII).
    static func write(_ value: JSONValue, spaced: Bool = false, escaped: Bool = false) -> [UInt8] {
        var out = ""
        func quote(_ s: String) {
            guard escaped else { out += JSONWriter.quote(s); return }
            out += "\""
            for unit in s.utf16 {
                switch unit {
                case 0x22: out += "\\\""
                case 0x5C: out += "\\\\"
                case 0x2F: out += "\\/"
                case 0x20..<0x7F: out += String(UnicodeScalar(UInt8(unit)))
                default: out += "\\u" + String(format: "%04x", unit)
                }
            }
            out += "\""
        }
        let gap = spaced ? " " : ""
        func go(_ v: JSONValue) {
            switch v {
            case .object(let members):
                out += "{" + gap
                for (i, m) in members.enumerated() {
                    if i > 0 { out += "," + gap }
                    quote(m.key)
                    out += gap + ":" + gap
                    go(m.value)
                }
                out += gap + "}"
            case .array(let items):
                out += "[" + gap
                for (i, item) in items.enumerated() {
                    if i > 0 { out += "," + gap }
                    go(item)
                }
                out += gap + "]"
            case .string(let s): quote(s)
            default: out += JSONWriter.compact(v)
            }
        }
        go(value)
        return Array(out.utf8)
    }
}

@Suite struct JSONTapeTests {
    /// A transcript offset as mm:ss.t, as it was written with string interpolation.
    @Test func clockOffsetsKeepTheirFormat() {
        func reference(_ milliseconds: Int64) -> String {
            let s = milliseconds / 1000
            return "\(s / 60 < 10 ? "0" : "")\(s / 60):\(s % 60 < 10 ? "0" : "")\(s % 60).\((milliseconds % 1000) / 100)"
        }
        for ms: Int64 in [0, 1, 99, 100, 999, 1000, 9_999, 59_999, 60_000, 600_000, 3_599_999, 5_999_999, 6_000_000, 36_000_000, 987_654_321, -1, -1_500, -61_000, .max, .min + 1] {
            #expect(RecordAnnotator.clockOffset(milliseconds: ms) == reference(ms), "\(ms)")
        }
    }

    /// Strings holding `run`: alone, and with room after them for runs read two characters a word.
    static func stringsAround(_ run: [UInt8]) -> [[UInt8]] {
        let room = [UInt8](repeating: 0x20, count: 8)
        let quote: [UInt8] = [0x22]
        return [quote + run + quote, quote + run + quote + room, quote + run + run + quote + room, quote + [0x61] + run + quote + room]
    }

    /// The tape accepts exactly what the parser accepts.
    @Test func acceptsWhatTheParserAccepts() {
        let texts: [[UInt8]] = [
            "{}", "[]", " {\"a\" : [1, 2.5e-3, -0, true, false, null, \"x\"] } ", "{\"a\":1,}", "[1,]", "01", "-", "1.", "1e", "1e+",
            "\"\\u00e9\\/\\n\"", "\"\\ud83d\\ude00\"", "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83dx\"", "\"\\x\"", "\"tab\there\"",
            "{\"a\":1}{", "nul", "tru", "falsey", "\"é\"", "[[[[]]]]", "{\"a\":{\"b\":{}}}", "", " ", "'x'", "[1 2]",
        ].map { Array($0.utf8) } + [
            [0x22, 0xC3, 0xA9, 0x22], [0x22, 0xC0, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
            [0x22, 0xE2, 0x80, 0x22], [0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22], [0x22, 0xFF, 0x22], [0x22, 0x7F, 0x22],
            Array(repeating: UInt8(ascii: "["), count: 600) + Array(repeating: UInt8(ascii: "]"), count: 600),
        ] + [
            // Runs of multi-byte characters, each kind of sequence after a valid one.
            [0xE7, 0x89, 0x9B, 0xE5, 0xB0, 0x8F], [0xE7, 0x89, 0x9B, 0xE2, 0x80, 0xA8, 0xE5, 0xB0, 0x8F],
            [0xE7, 0x89, 0x9B, 0xE2, 0x80, 0xA9, 0xE5, 0xB0, 0x8F], [0xE2, 0x80, 0xA9], [0xE2, 0x80, 0xAA, 0xE2, 0x81, 0xA8],
            [0xE7, 0x89, 0x9B, 0xED, 0xA0, 0x80], [0xE7, 0x89, 0x9B, 0xE0, 0x80, 0x80], [0xE7, 0x89, 0x9B, 0xE0, 0xA0, 0x80],
            [0xE7, 0x89, 0x9B, 0xF0, 0x9F, 0x98, 0x80, 0xC3, 0xA9], [0xE7, 0x89, 0x9B, 0xE5, 0xB0], [0xE7, 0x89, 0x9B, 0xE5, 0x30, 0x8F],
            [0xE7, 0x89, 0x9B, 0xEF, 0xBF, 0xBF, 0xC2, 0x80], [0xE7, 0x89, 0x9B, 0x80], [0xE7, 0x89, 0x9B, 0xF5, 0x80, 0x80, 0x80],
            [0xEE, 0x80, 0x80, 0xE7, 0x89], [0xED, 0xA0, 0x80, 0xE7, 0x89, 0x9B], [0xE0, 0x80, 0x80, 0xE7, 0x89, 0x9B],
            [0xE2, 0x80, 0xA8, 0xE7, 0x89, 0x9B], [0xE0, 0xA0, 0x80, 0xE7, 0x89, 0x9B], [0xE5, 0x30, 0x8F, 0xE7, 0x89, 0x9B],
            [0xE5, 0xB0, 0xC0, 0xE7, 0x89, 0x9B], [0xE7, 0x89, 0x9B, 0xE5, 0xB0, 0x30],
        ].flatMap(Self.stringsAround) + [[0x22, 0xE7, 0x89, 0x9B, 0xE5]]
        // Members at the depth limit and one below it: strings, numbers, and a bad number.
        + [510, 511, 512].flatMap { levels in
            ["\"x\"", "-1.5e3", "-", "[]"].map { leaf in
                Array((String(repeating: "{\"a\":", count: levels) + leaf + String(repeating: "}", count: levels)).utf8)
            }
        }
        // Strings are classified 64 bytes at a time, from where a string's search starts, and the
        // last bytes in a padded window: every special byte at every offset of a long string, and
        // in every string of a list of short ones (whose windows hold several strings).
        var long: [[UInt8]] = []
        let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        for special: UInt8 in [0x22, 0x5C, 0x09, 0x1F, 0x7F, 0xC3, 0xFF, 0x00] {
            for offset in 0..<150 {
                var text = [0x22] + (0..<150).map { letters[$0 % 26] } + [0x22]
                text[1 + offset] = special
                if special == 0xC3 { text.insert(0xA9, at: 2 + offset) }
                long.append(text)
            }
            for string in 0..<40 {
                for offset in 0..<3 {
                    var items = (0..<40).map { [0x22] + letters[$0 % 24..<$0 % 24 + 3] + [0x22] }
                    items[string][1 + offset] = special
                    if special == 0xC3 { items[string].insert(0xA9, at: 2 + offset) }
                    long.append([UInt8(ascii: "[")] + Array(items.joined(separator: [UInt8(ascii: ",")])) + [UInt8(ascii: "]")])
                }
            }
        }
        for text in texts + long {
            var tape = JSONTape()
            let accepted = text.withUnsafeBufferPointer { tape.index($0) }
            let value = try? JSONParser.parse(bytes: text)
            #expect(accepted == (value != nil), "\(text)")
            // A plain string is one the writer writes back byte for byte (an escaped one may be too:
            // `\n` is written as it came, but the tape does not look into escapes).
            if case .string(let s)? = value, accepted, tape.entries[0].plain {
                #expect(Array(JSONWriter.quote(s).utf8) == Array(text[tape.entries[0].start..<tape.entries[0].end]), "\(text)")
            }
            if case .string? = value, text.contains(0x7F) || text.contains(0x5C) { #expect(!tape.entries[0].plain) }
            if accepted { expectPlainContainersStandAsWritten(tape, text) }
        }
        // Containers: whitespace anywhere inside, or a string or key that is not plain, at any depth.
        let containers = [
            #"{"a":[1,2],"b":{"c":"d"}}"#, #" {"a":[1,2]} "#, #"{"a":[1, 2]}"#, #"{"a" :1}"#, #"{"a":{"b":"x\n"}}"#, #"{"a\u0062":1}"#,
            #"[{"a":1},{"b":"é"}]"#, #"[{"a":1},{"b":"\u00e9"}]"#, #"{"a":[],"b":{}}"#, "[1,\n2]", #"[[["\/"]]]"#,
        ]
        for text in containers.map({ Array($0.utf8) }) {
            var tape = JSONTape()
            #expect(text.withUnsafeBufferPointer { tape.index($0) }, "\(text)")
            expectPlainContainersStandAsWritten(tape, text)
            let compact = (try? JSONParser.parse(bytes: text)).map { Array(JSONWriter.compact($0).utf8) }
            let inner = text.drop { $0 == 0x20 }.reversed().drop { $0 == 0x20 }.reversed()
            #expect(tape.entries[0].plain == (compact == Array(inner) && !text.contains(0x5C)), "\(String(decoding: text, as: UTF8.self))")
        }
    }

    /// Every container the tape calls plain is written by `JSONWriter.compact` as it stands.
    private func expectPlainContainersStandAsWritten(_ tape: JSONTape, _ text: [UInt8]) {
        for entry in tape.entries where (entry.kind == .object || entry.kind == .array) && entry.plain {
            let bytes = Array(text[entry.start..<entry.end])
            let value = try? JSONParser.parse(bytes: bytes)
            #expect(value.map { Array(JSONWriter.compact($0).utf8) } == bytes, "\(String(decoding: bytes, as: UTF8.self))")
        }
    }

    /// Subtrees, counts, keys and plainness as a reader needs them.
    /// Integers read from a tape as `Int64(text)` reads them: every length, signed or not, with a
    /// fraction or an exponent (not integers), at the end of the text and before more of it.
    @Test func integersAreReadAsInt64ReadsThem() {
        var generator = SystemRandomNumberGenerator()
        var texts = ["0", "-0", "7", "-7", "10", "1.5", "1e5", "2E3", "-1.0", "9999999999999999", "-9999999999999999", "100000000", "99999999"]
        for length in 1...18 {
            for _ in 0..<20 {
                var digits = String(Int.random(in: 1...9, using: &generator))
                for _ in 1..<length { digits += String(Int.random(in: 0...9, using: &generator)) }
                texts += [digits, "-" + digits, digits + ".5", digits + "e1"]
            }
        }
        for text in texts {
            for (before, after) in [("", ""), ("[", ",1,2,3,4,5,6,7,8]"), ("{\"a\":", "}")] {
                let json = Array((before + text + after).utf8)
                var tape = JSONTape()
                guard json.withUnsafeBufferPointer({ tape.index($0) }) else { Issue.record("not indexed: \(text)"); continue }
                let entry = tape.entries.first { $0.kind == .number }!
                for maxDigits in [3, 15, 18] {
                    let digits = text.hasPrefix("-") ? text.count - 1 : text.count
                    let expected = digits <= maxDigits ? Int64(text) : nil
                    let read = json.withUnsafeBufferPointer { TapeReader.integer(entry, $0, maxDigits: maxDigits) }
                    #expect(read == expected, "\(before)\(text)\(after) with at most \(maxDigits) digits")
                }
            }
        }
    }

    @Test func indexesStructure() {
        let text = Array(#"{"a":[1,{"b":"x\u00e9"}],"c":"d\u2028"}"#.utf8)
        var tape = JSONTape()
        #expect(text.withUnsafeBufferPointer { tape.index($0) })
        let e = tape.entries
        #expect(e.map(\.kind) == [.object, .array, .number, .object, .string, .string])
        #expect(e[0].count == 2 && e[1].count == 2 && e[3].count == 1)
        #expect(e[1].next == 5 && e[0].next == 6)
        #expect(e.map(\.depth) == [0, 1, 2, 2, 3, 1])
        #expect(String(decoding: text[e[5].keyStart..<e[5].keyEnd], as: UTF8.self) == "c")
        #expect(!e[4].plain && e[2].plain)
        // A container holding a string that is not plain is not plain either, up to the root.
        #expect(!e[0].plain && !e[1].plain && !e[3].plain)
        #expect(tape.keysPlainASCII)
    }
}

extension LineAnnotator {
    /// `annotate(_:into:)`, appended to an array (for comparing outputs).
    mutating func annotate(_ line: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> DecodedRecord? {
        var buffer = OutputBuffer(capacity: 256)
        defer { buffer.free() }
        let record = annotate(line, into: &buffer)
        out.append(contentsOf: buffer.bytes)
        return record
    }
}
