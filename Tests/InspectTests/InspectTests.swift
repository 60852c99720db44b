import Signing
import Foundation
import Adapters
import JSONText
import LuaHost
import Testing
import Wire
@testable import Inspect

/// The bundled adapters, loaded once for these tests.
enum Bundled {
    static let root: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }()

    static let host: PluginHost = {
        let host = PluginHost(roots: [PluginRoot(path: root + "/plugins", origin: .bundled)])
        host.load()
        return host
    }()

    static var adapters: [Adapter] { host.adapters }

    static func decode(_ text: String, vendor: String? = nil, kind: String? = nil) throws -> [DecodedRecord] {
        var decoder = PayloadDecoder(adapters: adapters, vendor: vendor, kind: kind)
        return decoder.decode(try JSONParser.parse(text))
    }
}

@Suite struct TimeFormatTests {
    /// Zone offsets as schemas write them: a sign, two digits of hours (up to 14), a colon and
    /// two of minutes; "Z" and "UTC"; anything after the six is ignored unless it makes the sixth
    /// another character.
    @Test func zoneOffsetsAreReadAsSchemasWriteThem() {
        let cases: [(String, Int?)] = [
            ("+08:00", 480), ("-05:30", -330), ("+00:00", 0), ("Z", 0), ("UTC", 0), ("+14:00", 840), ("-00:59", -59),
            ("+08:00 China", 480), ("+08:00\u{0301}", nil), ("+15:00", nil), ("+08:60", nil), ("+8:00", nil), ("08:00", nil),
            ("+08-00", nil), ("+0a:00", nil), ("+-5:00", nil), ("", nil), ("+08:0", nil), ("\u{FF0B}08:00", nil),
        ]
        for (text, minutes) in cases { #expect(TimeZoneOffset.minutes(text) == minutes, "\(text)") }
    }

    @Test func decimalsAsTheStandardLibraryWritesThem() {
        for n in [0, 7, 9, 10, 99, 100, 101, 999, 1000, 65_535, 1_742_378_329, 100_000_000_000, Int.max, -1, -10, -1_742_378_329, Int.min] {
            var out: [UInt8] = []
            TimeFormat.appendDecimal(n, into: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(n))
        }
    }

    @Test func isoAndLocal() {
        #expect(TimeFormat.iso8601(1_742_378_329) == "2025-03-19T09:58:49Z")
        #expect(TimeFormat.iso8601(1_742_378_329, offsetMinutes: 480) == "2025-03-19T17:58:49+08:00")
        #expect(TimeFormat.iso8601(1_742_378_329, offsetMinutes: -150) == "2025-03-19T07:28:49-02:30")
        #expect(TimeFormat.iso8601(253_402_300_799, offsetMinutes: -59) == "9999-12-31T23:00:59-00:59")
        #expect(TimeFormat.iso8601(0) == "1970-01-01T00:00:00Z")
        #expect(TimeFormat.iso8601(-1) == "1969-12-31T23:59:59Z")
        #expect(TimeFormat.iso8601(951_782_400) == "2000-02-29T00:00:00Z")
        #expect(TimeFormat.iso8601(-30_641_662_555) == "0999-01-02T03:04:05Z")
        #expect(TimeFormat.iso8601(-60_589_198_555) == "0050-01-02T03:04:05Z")
        #expect(TimeFormat.iso8601(-62_135_499_355, offsetMinutes: -150) == "0001-01-02T00:34:05-02:30")
        #expect(TimeFormat.iso8601(253_402_300_800) == "10000-01-01T00:00:00Z")
        #expect(TimeFormat.iso8601(-62_135_596_801) == "0000-12-31T23:59:59Z")
        #expect(TimeFormat.parseLocal("2025-06-01 10:00:00", offsetMinutes: 480) == 1_748_743_200)
        #expect(TimeFormat.parseLocal("2025-06-01T10:00:00", offsetMinutes: 0) == 1_748_772_000)
        #expect(TimeFormat.parseLocal("2025-13-01 10:00:00", offsetMinutes: 0) == nil)
        #expect(TimeFormat.parseLocal("yesterday", offsetMinutes: 0) == nil)
        // A byte that is not a digit, in every digit place.
        let good = Array("2025-06-01 10:00:00".utf8)
        for place in [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18] {
            for bad in ["/", ":", "a", " ", "\u{7F}"] {
                var text = good
                text[place] = bad.utf8.first!
                #expect(text.withUnsafeBufferPointer { TimeFormat.parseLocal(bytes: $0, offsetMinutes: 0) } == nil, "\(String(decoding: text, as: UTF8.self))")
            }
        }
    }

    /// Dates kept for the last two days converted are the dates the arithmetic gives, whatever
    /// order days come in (repeated, alternating, three in turn, far apart).
    @Test func keptDatesAreTheArithmeticsDates() {
        var dates = TimeFormat.CivilDates()
        var state: UInt64 = 99
        var days: [Int64] = [0, 0, 1, 0, 1, 2, 0, 1, 2, -1, -1, 20_000, 20_001, 20_000, -719_468, 2_932_896]
        for _ in 0..<2_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            days.append(20_000 + Int64(state >> 61))
        }
        for day in days {
            let kept = dates.date(day), computed = TimeFormat.civil(fromDays: day)
            #expect(kept.civil == computed, "day \(day)")
            // A date of a four-digit year is kept written as the time's first 11 bytes are.
            if computed.0 >= 1000, computed.0 <= 9999 {
                func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
                let expected = "\(computed.0)-\(two(computed.1))-\(two(computed.2))T"
                let written = withUnsafeBytes(of: kept.written) { Array($0.prefix(11)) }
                #expect(String(decoding: written, as: UTF8.self) == expected, "day \(day)")
            }
        }
        var out: [UInt8] = []
        TimeFormat.appendISO8601(1_742_378_329, offsetMinutes: 480, to: &out, dates: &dates)
        out.append(0x20)
        TimeFormat.appendISO8601(1_742_378_329, to: &out, dates: &dates)
        #expect(String(decoding: out, as: UTF8.self) == "2025-03-19T17:58:49+08:00 2025-03-19T09:58:49Z")
    }

    /// A local time written from its digits is what the calendar arithmetic writes, and the
    /// digits are used only where they can be (a real date, no leap second, the same day in UTC).
    @Test func localTimesFromTheirDigitsMatchTheArithmetic() {
        func reference(_ text: [UInt8], _ offset: Int) -> [UInt8]? {
            guard let epoch = text.withUnsafeBufferPointer({ TimeFormat.parseLocal(bytes: $0, offsetMinutes: offset) }) else { return nil }
            var out: [UInt8] = []
            TimeFormat.appendISO8601(epoch, offsetMinutes: offset, into: &out)
            out += Array(" = ".utf8)
            TimeFormat.appendISO8601(epoch, into: &out)
            return out
        }
        var fast = 0
        let dates = ["2025-06-01", "2024-02-29", "2025-02-29", "2025-02-28", "2025-04-31", "2025-04-30", "2000-02-29", "1900-02-29",
                     "2025-12-31", "2026-01-01", "0999-06-01", "9999-12-31", "2025-01-00", "2025-00-10"]
        let times = ["00:00:00", "07:59:59", "08:00:00", "10:00:00", "23:59:59", "15:30:60", "12:34:56", "00:29:00", "23:30:00"]
        for date in dates {
            for time in times {
                for separator in [" ", "T"] {
                    let text = Array((date + separator + time).utf8)
                    for offset in [480, 0, -300, 330, -59, 5999] {
                        let expected = reference(text, offset)
                        guard let utc = text.withUnsafeBufferPointer({ TimeFormat.sameDayInUTC(local: $0, offsetMinutes: offset) }) else { continue }
                        fast += 1
                        var out: [UInt8] = []
                        text.withUnsafeBufferPointer { TimeFormat.writeLocalAndUTC(local: $0, offsetMinutes: offset, utcMinutes: utc, to: &out) }
                        #expect(expected != nil && out == expected!, "\(String(decoding: text, as: UTF8.self)) at \(offset): \(String(decoding: out, as: UTF8.self))")
                    }
                }
            }
        }
        // Most are written from their digits; the rest (another day in UTC, no such date) are not.
        #expect(fast > 400 && fast < dates.count * times.count * 2 * 6)
        #expect(Array("2025-06-01 00:30:00".utf8).withUnsafeBufferPointer { TimeFormat.sameDayInUTC(local: $0, offsetMinutes: 480) } == nil)
        #expect(Array("2025-04-31 10:00:00".utf8).withUnsafeBufferPointer { TimeFormat.sameDayInUTC(local: $0, offsetMinutes: 0) } == nil)
        #expect(Array("2025-06-01 10:00:60".utf8).withUnsafeBufferPointer { TimeFormat.sameDayInUTC(local: $0, offsetMinutes: 0) } == nil)
        // Every place that must hold a digit or a separator, spoiled in turn.
        let good = Array("2025-06-01 10:20:30".utf8)
        for place in good.indices {
            for spoiler in [UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "a"), 0x19, 0xB3, UInt8(ascii: "-"), UInt8(ascii: "0")] where spoiler != good[place] {
                var text = good
                text[place] = spoiler
                let fast = text.withUnsafeBufferPointer { TimeFormat.sameDayInUTC(local: $0, offsetMinutes: 0) }
                let parsed = text.withUnsafeBufferPointer { TimeFormat.parseLocal(bytes: $0, offsetMinutes: 0) }
                // A digit for a digit may still be a time; nothing else is.
                let digitForDigit = spoiler >= 0x30 && spoiler <= 0x39 && good[place] >= 0x30 && good[place] <= 0x39
                if !digitForDigit { #expect(fast == nil && parsed == nil, "\(String(decoding: text, as: UTF8.self))") }
                #expect(fast == nil || parsed != nil, "\(String(decoding: text, as: UTF8.self))")
            }
        }
        #expect(good.withUnsafeBufferPointer { TimeFormat.sameDayInUTC(local: $0, offsetMinutes: 0) } == 10 * 60 + 20)
    }

    /// The time of day written alone is what follows the date in the whole time, for every
    /// zone and at the ends of the years written with four digits (and past them).
    @Test func timeOfDayIsTheWholeTimeWithoutItsDate() {
        let epochs: [Int64] = [0, 1_763_629_200, 1_742_378_343, -1, 86_399, -86_400, 951_782_400, -62_135_596_800, -62_135_596_801,
                               -62_167_219_200, 253_402_300_799, 253_402_300_800, 999_999_999_999_999, -999_999_999_999]
        for epoch in epochs {
            for zone in [480, -300, 330, 1, -59, 5999, 6000, -6000, 14 * 60] {
                var dates = TimeFormat.CivilDates()
                var whole: [UInt8] = [], alone: [UInt8] = []
                TimeFormat.appendISO8601(epoch, offsetMinutes: zone, to: &whole, dates: &dates)
                TimeFormat.appendTimeOfDay(epoch, offsetMinutes: zone, to: &alone, dates: &dates)
                #expect(alone == Array(whole.dropFirst(11)), "\(epoch) at \(zone): \(String(decoding: alone, as: UTF8.self))")
            }
        }
    }

    @Test func durationsInWords() {
        #expect(TimeFormat.duration(seconds: 0) == "0 s")
        #expect(TimeFormat.duration(seconds: 137) == "2 min 17 s")
        #expect(TimeFormat.duration(seconds: 3600) == "1 h")
        #expect(TimeFormat.duration(seconds: 90_000) == "1 d 1 h")
        #expect(TimeFormat.duration(milliseconds: 4100) == "4.1 s")
        // As it was first written (string interpolation), for every kind of value.
        for ms: Int64 in [-120_000, -61_000, -500, -50, -49, 0, 49, 50, 4100, 59_949, 59_950, 59_999, 60_000, 61_000, 3_600_000, 90_061_000] {
            let tenths = (ms + 50) / 100
            let reference = ms < 60_000 ? "\(tenths / 10).\(tenths % 10) s" : TimeFormat.duration(seconds: ms / 1000)
            #expect(TimeFormat.duration(milliseconds: ms) == reference, "\(ms)")
        }
    }

    /// Every unit's boundaries, against the string-interpolating implementation it replaced, and
    /// the extremes (which that one could not negate).
    @Test func durationsAgreeWithTheInterpolatedWording() {
        func reference(_ seconds: Int64) -> String {
            if seconds < 0 { return "-" + reference(-seconds) }
            if seconds < 60 { return "\(seconds) s" }
            if seconds < 3600 { return "\(seconds / 60) min" + (seconds % 60 == 0 ? "" : " \(seconds % 60) s") }
            if seconds < 86_400 { return "\(seconds / 3600) h" + (seconds % 3600 / 60 == 0 ? "" : " \(seconds % 3600 / 60) min") }
            if seconds < 365 * 86_400 { return "\(seconds / 86_400) d" + (seconds % 86_400 / 3600 == 0 ? "" : " \(seconds % 86_400 / 3600) h") }
            return "\(seconds / (365 * 86_400)) y \(seconds % (365 * 86_400) / 86_400) d"
        }
        var values: [Int64] = [0, 1, 9, 10, 59, 60, 61, 119, 120, 3599, 3600, 3601, 3660, 86_399, 86_400, 86_460, 90_000,
                               31_535_999, 31_536_000, 31_622_400, 1_742_378_340, .max]
        values += values.map { -$0 }
        for v in values { #expect(TimeFormat.duration(seconds: v) == reference(v), "\(v)") }
        #expect(TimeFormat.duration(seconds: .min) == "-292471208677 y 195 d")
    }
}

@Suite struct DetectionTests {
    /// No fixture of one vendor is detected as another's, and every record of every fixture is recognised.
    @Test func everyFixtureIsDetectedAsItsOwnVendor() throws {
        var checked = 0
        for adapter in Bundled.adapters {
            let folder = adapter.origin + "/fixtures"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for name in names.sorted() {
                let data = try #require(FileManager.default.contents(atPath: folder + "/" + name))
                let values = name.hasSuffix(".ndjson") ? try JSONParser.parseSequence(bytes: Array(data)) : [try JSONParser.parse(bytes: Array(data))]
                for value in values {
                    var decoder = PayloadDecoder(adapters: Bundled.adapters)
                    for record in decoder.decode(value) {
                        checked += 1
                        #expect(record.vendor == adapter.id, "\(adapter.id)/\(name) detected as \(record.vendor ?? "nothing") \(record.kind ?? "")")
                    }
                }
            }
        }
        #expect(checked >= 40)
    }

    @Test func detectionIsConfidentOnSeeds() throws {
        let callback = try Bundled.decode(String(contentsOfFile: Bundled.root + "/plugins/nxlink/fixtures/callback-seed.json", encoding: .utf8))
        #expect(callback.first?.kind == "callRecordCallback")
        #expect(callback.first?.confidence == "certain")
        let list = try Bundled.decode(String(contentsOfFile: Bundled.root + "/plugins/nxlink/fixtures/call-list-record-seed.json", encoding: .utf8))
        #expect(list.first?.kind == "callListRecord")
    }

    @Test func envelopesAreUnwrapped() throws {
        let records = try Bundled.decode(String(contentsOfFile: Bundled.root + "/plugins/nxlink/fixtures/call-list-response-seed.json", encoding: .utf8))
        #expect(records.count == 1)
        #expect(records[0].kind == "callListRecord")
        #expect(records[0].fields.first?.path == "data.list[0].id")
    }

    @Test func unknownPayloadsSayWhatIsClosest() throws {
        let records = try Bundled.decode(#"{"callId":"x","autoFlowId":1,"hello":2}"#)
        #expect(records[0].vendor == nil)
        #expect(records[0].warnings.first?.code == "unknown-payload")
        #expect(records[0].warnings.first?.message.contains("closest: nxlink") == true)
    }
}

@Suite struct AnnotationTests {
    static let base = #"{"taskId":"t","userTaskId":"u","contactId":"c","autoFlowId":207,"orderHead":1,"orderTail":1,"callId":"id","callStatus":10,"callResult":17,"callStart":1742378340,"callAnswer":1742378343,"callEnd":1742378480,"callElapsed":137,"sipCode":"486","hangupReason":"USER_BUSY"}"#

    func decode(_ text: String) throws -> DecodedRecord { try #require(Bundled.decode(text).first) }
    func meaning(_ r: DecodedRecord, _ path: String) -> String? { r.fields.first { $0.path == path }?.meaning }
    func codes(_ r: DecodedRecord) -> [String] { r.warnings.map(\.code) }

    @Test func codesTimesDurationsAndCrossAdapterTables() throws {
        let r = try decode(Self.base)
        #expect(r.warnings.isEmpty, "\(r.warnings)")
        #expect(meaning(r, "callResult")?.hasPrefix("Normal end – user hung up") == true)
        #expect(meaning(r, "callStatus")?.hasPrefix("Call completed") == true)
        #expect(meaning(r, "callAnswer")?.hasPrefix("2025-03-19T09:59:03Z · 17:59:03+08:00 local") == true)
        #expect(meaning(r, "callElapsed")?.hasPrefix("2 min 17 s") == true)
        #expect(meaning(r, "sipCode")?.hasPrefix("Busy Here") == true)
        #expect(meaning(r, "hangupReason")?.hasPrefix("busy (USER_BUSY)") == true)
        #expect(r.timelines.first?.picture == "originate 17:59:00 ──3 s──▶ answer 17:59:03 ──2 min 17 s──▶ end 18:01:20 (+08:00)")
        #expect(r.result == "17")
        #expect(r.answered == true)
    }

    @Test func warningsForWhatIsWrong() throws {
        var text = Self.base
        text = text.replacingFirst(#""callResult":17"#, #""callResult":"17""#)        // a number sent as a string
        text = text.replacingFirst(#""callStatus":10"#, #""callStatus":99"#)          // not in the table
        text = text.replacingFirst(#""callEnd":1742378480"#, #""callEnd":1742378000"#) // ends before it was answered
        text = text.replacingFirst(#""autoFlowId":207"#, #""autoFlowId":9007199254740993"#)
        text = text.replacingFirst(#""taskId":"t","#, #""taskId":"t","taskId":"t2","surprise":1,"#)
        text = text.replacingFirst(#""callId":"id","#, "")                           // required field missing
        text = text.replacingFirst(#""callStart":1742378340"#, #""callStart":1742378340000"#)
        let r = try decode(text)
        let found = Set(codes(r))
        for expected in ["wrong-type", "unknown-code", "timing", "unsafe-integer", "duplicate-key", "unknown-field", "missing-field", "timestamp-unit"] {
            #expect(found.contains(expected), "missing \(expected) in \(r.warnings)")
        }
        #expect(r.warnings.first { $0.code == "wrong-type" }?.path == "callResult")
        #expect(r.warnings.first { $0.code == "missing-field" }?.path == "callId")
        #expect(r.warnings.contains { $0.code == "timing" && $0.message.contains("callElapsed is 137 s but callEnd − callAnswer is -343 s") })
        // The code is still explained even when sent as a string.
        #expect(meaning(r, "callResult")?.hasPrefix("Normal end") == true)
    }

    @Test func transcriptsAndLocalTimes() throws {
        let text = try String(contentsOfFile: Bundled.root + "/plugins/itniotech/fixtures/push-chinese.json", encoding: .utf8)
        let r = try decode(text)
        #expect(r.transcript.count == 4)
        #expect(r.transcript[1] == TranscriptTurn(path: "callDetailList[1]", speaker: "human", offset: "00:03.2", text: "你好，请讲。"))
        let report = try decode(String(contentsOfFile: Bundled.root + "/plugins/alibaba-aiccs/fixtures/call-report-bare-object-chinese.json", encoding: .utf8))
        #expect(meaning(report, "startTime")?.hasPrefix("2025-06-01T10:00:00+08:00 = 2025-06-01T02:00:00Z (zone +08:00 (assumed") == true)
        #expect(meaning(report, "hangupDirection")?.hasPrefix("the callee hung up") == true)
        #expect(report.timelines.first?.events.map(\.name) == ["originate", "ring", "answer", "end"])
    }

    @Test func arraysOfRecordsAndForcedKinds() throws {
        let batch = try Bundled.decode(String(contentsOfFile: Bundled.root + "/plugins/alibaba-aiccs/fixtures/call-report-batch.json", encoding: .utf8))
        #expect(batch.count == 4)
        #expect(batch.map(\.result) == ["ANSWERED", "NO_ANSWER", "USER_BUSY", "POWERED_OFF"])
        #expect(batch[1].fields.first?.path == "[1].taskId")
        let forced = try Bundled.decode(#"{"callId":"x"}"#, vendor: "itniotech", kind: "pushCallRecord")
        #expect(forced[0].kind == "pushCallRecord")
        #expect(forced[0].warnings.contains { $0.code == "missing-field" && $0.path == "robotCallJobId" })
    }

    @Test func batchSummary() throws {
        var summary = BatchSummary()
        for r in try Bundled.decode(String(contentsOfFile: Bundled.root + "/plugins/alibaba-aiccs/fixtures/call-report-batch.json", encoding: .utf8)) {
            summary.add(r)
        }
        #expect(summary.records == 4)
        #expect(summary.answerRate == 0.25)
        #expect(summary.percentile(50) == 330)
        #expect(summary.byResult["ANSWERED"]?.count == 1)
    }

    /// Nearest-rank percentiles of the durations, several from one sort.
    @Test func batchSummaryPercentiles() {
        var summary = BatchSummary()
        #expect(summary.percentiles([50]) == nil && summary.percentile(50) == nil)
        for seconds in [40, 10, 30, 20, 50, 60, 70, 80, 90, 100] as [Int64] {
            var r = DecodedRecord(vendor: "a", kind: "x", title: nil, confidence: "certain", fingerprintMatched: 1, fingerprintSize: 1,
                                  fields: [], warnings: [], transcript: [], timelines: [])
            r.durationSeconds = seconds
            summary.add(r)
        }
        #expect(summary.percentiles([0, 10, 50, 51, 90, 99, 100]) == [10, 10, 50, 60, 90, 100, 100])
        #expect(summary.percentile(50) == 50)
    }

    /// Percentiles as the nearest rank in a sorted copy gives them, whether the durations are
    /// counted by value (a narrow range) or sorted (a wide one, extremes included).
    @Test func percentilesAsASortGivesThem() {
        var generator = SystemRandomNumberGenerator()
        let sets: [[Int64]] = [
            (0..<5_000).map { _ in Int64.random(in: 0...600, using: &generator) },
            (0..<300).map { _ in Int64.random(in: -50...50, using: &generator) },
            (0..<200).map { _ in Int64.random(in: 0...1_000_000_000, using: &generator) },
            (0..<100).map { $0 % 2 == 0 ? Int64.min : Int64.max },
            [7, 3, 9], Array(repeating: 42, count: 1_000),
        ]
        let ps: [Double] = [0, 1, 10, 50, 90, 95, 99, 99.9, 100]
        for durations in sets {
            var summary = BatchSummary()
            for d in durations {
                var r = DecodedRecord.none
                r.durationSeconds = d
                summary.add(r)
            }
            let sorted = durations.sorted()
            let expected = ps.map { p in sorted[max(0, min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))] }
            #expect(summary.percentiles(ps) == expected, "\(durations.count) durations from \(sorted.first!) to \(sorted.last!)")
        }
    }

    @Test func batchSummaryCountsKindsInRunsAndKeepsTheFirstKnownMeaning() {
        func record(_ vendor: String, _ kind: String, _ result: String, _ meaning: String?) -> DecodedRecord {
            var r = DecodedRecord(vendor: vendor, kind: kind, title: nil, confidence: "certain", fingerprintMatched: 1, fingerprintSize: 1,
                                  fields: [], warnings: [], transcript: [], timelines: [])
            r.result = result
            r.resultMeaning = meaning
            return r
        }
        var first = BatchSummary()
        for r in [record("a", "x", "1", nil), record("a", "x", "1", "one"), record("b", "y", "2", "two"), record("a", "x", "1", "uno")] {
            first.add(r)
        }
        #expect(first.kinds == ["a x": 3, "b y": 1])
        #expect(first.byResult["1"]?.count == 3 && first.byResult["1"]?.meaning == "one")
        var second = BatchSummary()
        second.add(record("b", "y", "2", nil))
        second.merge(first)
        #expect(second.kinds == ["a x": 3, "b y": 2])
        #expect(second.records == 5 && second.byResult["2"]?.count == 2 && second.byResult["2"]?.meaning == "two")
    }

    /// Many results and kinds, interleaved, meanings known only from some record on: counts and
    /// first known meanings as a dictionary counted record by record gives them, and after a merge.
    @Test func batchSummaryCountsManyResultsAsADictionaryWould() {
        var summary = BatchSummary()
        var expected: [String: (count: Int, meaning: String?)] = [:]
        var expectedKinds: [String: Int] = [:]
        var generator = SystemRandomNumberGenerator()
        for n in 0..<2_000 {
            let code = "code-\(Int.random(in: 0..<(n < 1_000 ? 5 : 30), using: &generator))"
            let meaning: String? = n % 7 == 0 ? "meaning \(n) of \(code)" : nil
            // Two kinds taking turns, then up to seven.
            let (vendor, kind) = n < 500 ? ("v", n % 2 == 0 ? "k" : "l") : ("v\(n % 2)", "k\(Int.random(in: 0..<4, using: &generator))")
            expectedKinds[vendor + " " + kind, default: 0] += 1
            var r = DecodedRecord(vendor: vendor, kind: kind, title: nil, confidence: "certain", fingerprintMatched: 1, fingerprintSize: 1,
                                  fields: [], warnings: [], transcript: [], timelines: [])
            r.result = code
            r.resultMeaning = meaning
            summary.add(r)
            expected[code, default: (0, nil)].count += 1
            if expected[code]!.meaning == nil { expected[code]!.meaning = meaning }
        }
        func same(_ a: [String: (count: Int, meaning: String?)], _ b: [String: (count: Int, meaning: String?)]) -> Bool {
            a.count == b.count && a.allSatisfy { b[$0.key]?.count == $0.value.count && b[$0.key]?.meaning == $0.value.meaning }
        }
        #expect(same(summary.byResult, expected))
        #expect(summary.kinds == expectedKinds)
        var merged = BatchSummary()
        merged.merge(summary)
        merged.merge(summary)
        #expect(same(merged.byResult, expected.mapValues { ($0.count * 2, $0.meaning) }))
        #expect(merged.kinds == expectedKinds.mapValues { $0 * 2 })
    }
}

@Suite struct WireTests {
    /// `JSONPath` as it was first written (paths built at every step), to compare with.
    static func referenceValues(_ path: String, _ root: JSONValue, prefix: String = "") -> [(path: String, value: JSONValue)] {
        var current: [(String, JSONValue)] = [(prefix, root)]
        for segment in path.split(separator: ".") {
            var key = Substring(segment)
            let each = key.hasSuffix("[]")
            if each { key = key.dropLast(2) }
            var next: [(String, JSONValue)] = []
            for (p, v) in current {
                guard let child = v[String(key)] else { continue }
                let childPath = p.isEmpty ? String(key) : p + "." + key
                if each {
                    guard case .array(let items) = child else { continue }
                    for (i, item) in items.enumerated() { next.append(("\(childPath)[\(i)]", item)) }
                } else {
                    next.append((childPath, child))
                }
            }
            current = next
        }
        return current.map { (path: $0.0, value: $0.1) }
    }

    @Test func pathsFindWhatTheyAlwaysFound() throws {
        let root = try JSONParser.parse(#"{"a":[{"b":{"c":1}},{"b":2},{"x":3},{"b":{"c":[4,5]}}],"d":{"e":[[1],[2,3]],"":{"f":6}},"g":[],"h":"s"}"#)
        let paths = ["a", "a[]", "a[].b", "a[].b.c", "a[].b.c[]", "d.e[]", "d.e[][]", ".f", "d..f", "d.f", "g[]", "g[].x", "h[]", "h.x", "zz", "a[].x", "[]", "d.", "d"]
        for path in paths {
            for prefix in ["", "p"] {
                let got = JSONPath.values(at: path, in: root, prefix: prefix).map { "\($0.path)=\(JSONWriter.compact($0.value))" }
                let expected = Self.referenceValues(path, root, prefix: prefix).map { "\($0.path)=\(JSONWriter.compact($0.value))" }
                #expect(got == expected, "\(path) with prefix '\(prefix)'")
            }
            #expect(JSONPath.value(at: path, in: root).map(JSONWriter.compact) == Self.referenceValues(path, root).last.map { JSONWriter.compact($0.value) }, "\(path)")
        }
    }

    @Test func queryItemsArePercentDecodedByteByByte() {
        let m = HTTPMessage(kind: .request, method: "GET", target: "https://h.test:8/p?a=%41&b=%+f&c=%4&d&e=x=y&=z&f=%E5%90%8d&g=a+b%", headers: [], body: [])
        #expect(m.queryItems.map { "\($0.0)=\($0.1)" } == ["a=A", "b=%+f", "c=%4", "d=", "e=x=y", "=z", "f=名", "g=a+b%"])
        #expect(m.path == "/p")
        #expect(HTTPMessage(kind: .request, method: "GET", target: "/x", headers: [], body: []).queryItems.isEmpty)
    }

    @Test func rawRequestWithCRLFOrLF() throws {
        for sep in ["\r\n", "\n"] {
            let text = "POST /cb?x=1&y=a%20b HTTP/1.1\(sep)Host: h\(sep)Sign:  abc \(sep)\(sep){\"a\":1}\(sep)"
            let m = try HTTPParser.parse(Array(text.utf8))
            #expect(m.method == "POST")
            #expect(m.path == "/cb")
            #expect(m.header("sign") == "abc")
            #expect(m.queryItems.map { $0.1 } == ["1", "a b"])
            #expect(String(decoding: m.body, as: UTF8.self) == "{\"a\":1}\(sep)")
        }
        #expect(throws: WireError.self) { try HTTPParser.parse(Array("POST /x HTTP/1.1\nno colon here\n\n{}".utf8)) }
    }

    @Test func responses() throws {
        let m = try HTTPParser.parse(Array("HTTP/1.1 200 OK\ncreateTs: 1\n\n{}".utf8))
        #expect(m.kind == .response)
        #expect(m.status == 200)
    }

    @Test func curlCommands() throws {
        let m = try CurlParser.parse(#"curl -X POST 'https://api.itniotech.com/aivoice/taskList?x=1' \"# + "\n" + #"  -H 'Api-Key: k' -H "Timestamp: 1630468800" --data-raw $'{"a":"b\'c"}'"#)
        #expect(m.method == "POST")
        #expect(m.path == "/aivoice/taskList")
        #expect(m.header("timestamp") == "1630468800")
        #expect(String(decoding: m.body, as: UTF8.self) == #"{"a":"b'c"}"#)
        #expect(throws: WireError.self) { try CurlParser.parse("curl -H 'x: y'") }
    }
}

extension String {
    func replacingFirst(_ a: String, _ b: String) -> String {
        guard let r = ranges(of: a).first else { return self }
        return replacingCharacters(in: r, with: b)
    }
}

@Suite struct MessagePathTests {
    @Test(arguments: [
        ("/openapi/aiagent/call/list", "/openapi/aiagent/call/list"),
        ("/a/b?x=1&y=2", "/a/b"),
        ("https://api-hk.nxlink.ai/openapi/x?ts=1", "/openapi/x"),
        ("http://127.0.0.1:8080", "/"),
        ("http://127.0.0.1:8080?q=1", "/"),
        ("/p/with://inside", "/p/with://inside"),
        ("", ""),
        ("a:b/c", "a:b/c"), ("http:", "http:"), ("http:/", "http:/"), ("x://", "/"), ("?only=1", ""), ("/名/路径?q=名", "/名/路径"),
        ("https://host/a?b://c", "/a"), ("https://host?x/y", "/"),
    ])
    func pathOfTarget(_ target: String, _ path: String) {
        #expect(HTTPMessage(kind: .request, method: "POST", target: target).path == path)
    }

    @Test func noTargetIsTheRoot() { #expect(HTTPMessage(kind: .request).path == "/") }
}

@Suite struct ByteStringsTests {
    @Test func everyStringReadsBackAfterTheStoreGrows() {
        var store = ByteStrings()
        defer { store.free() }
        let strings = (0..<300).map { i in [UInt8](repeating: UInt8(i % 251), count: i % 7 == 0 ? 0 : i * 13 % 97) }
        for s in strings { store.append(s) }
        #expect(store.count == strings.count)
        for (i, s) in strings.enumerated() { #expect(Array(store[i]) == s, "string \(i)") }
    }
}

@Suite struct ShortTokenTests {
    /// Two tokens of up to 16 bytes are the same exactly when their bytes are: every length, a
    /// byte changed at every place, and a shorter token that is a prefix of a longer one.
    @Test func sameExactlyWhenTheBytesAre() {
        let base = Array("abcdefghijklmnop".utf8)
        for n in 0...16 {
            let token = Array(base[..<n])
            let a = token.withUnsafeBufferPointer { ShortToken($0) }!
            #expect(token.withUnsafeBufferPointer { ShortToken($0) }!.same(a))
            #expect(!a.same(ShortToken()))
            for place in 0..<n {
                var other = token
                other[place] ^= 0x20
                #expect(!other.withUnsafeBufferPointer { ShortToken($0) }!.same(a), "\(n) bytes, place \(place)")
            }
            if n < 16 {
                #expect(!Array(base[..<(n + 1)]).withUnsafeBufferPointer { ShortToken($0) }!.same(a), "\(n) bytes")
            }
        }
        #expect(Array(repeating: UInt8(1), count: 17).withUnsafeBufferPointer { ShortToken($0) } == nil)
    }
}
