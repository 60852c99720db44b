import JSONText

/// One field of a decoded payload: where, what, and what it means.
public struct AnnotatedField: Equatable, Sendable {
    public var path: String
    public var value: JSONValue
    public var meaning: String?
    /// What the vendor's table adds about this code (a known conflict, what to trust instead).
    public var note: String? = nil
}

/// Something wrong with a payload, with a stable code and the path it concerns.
public struct DecodeWarning: Equatable, Sendable {
    public var code: String
    public var path: String
    public var message: String

    public init(_ code: String, _ path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }
}

/// One turn of a dialogue.
public struct TranscriptTurn: Equatable, Sendable {
    /// The element holding the turn (`callInfoDetailList[1].recordDetail[3]`).
    public var path: String
    public var speaker: String?
    public var offset: String?
    public var text: String
}

/// The moments of one call, as a one-line picture.
public struct CallTimeline: Equatable, Sendable {
    public var path: String
    public var events: [(name: String, epoch: Int64)]
    /// The zone the picture's clock times are in, minutes east of UTC.
    public var zoneMinutes: Int

    /// `originate 10:00:00 ──5 s──▶ answer 10:00:05 (+08:00)`: made when asked for (a streamed
    /// record writes it straight to its output).
    public var picture: String {
        var out: [UInt8] = []
        out.reserveCapacity(40 * events.count)
        writePicture(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The picture's UTF-8. Nothing in it needs escaping in JSON: the event names are the
    /// timeline's own words, the rest digits, units, arrows and the zone.
    func writePicture<Out: ByteAppending>(into out: inout Out) {
        CallTimeline.writePicture(count: events.count, zoneMinutes: zoneMinutes, into: &out, name: writeName, epoch: { events[$0].epoch })
    }

    private func writeName<Out: ByteAppending>(_ i: Int, _ out: inout Out) {
        var name = events[i].name
        name.withUTF8 { out.append(contentsOf: $0) }
    }

    /// This timeline as a record's `timeline` list holds it.
    func writeJSON<Out: ByteAppending>(into out: inout Out) {
        var path = path
        path.withUTF8 { path in
            CallTimeline.writeJSON(path: path, count: events.count, zoneMinutes: zoneMinutes, into: &out, name: writeName,
                                   epoch: { events[$0].epoch })
        }
    }

    /// `{"path":…,"picture":…,"events":{…}}` of a timeline given by its parts (a streamed record
    /// writes its timelines without making a `CallTimeline`): `count` events, `name(i, &out)`
    /// writes event i's name (one of the timeline's own words: nothing in it to escape), `epoch(i)`
    /// is its time. `plainPath`: nothing in the path needs escaping (a streamed record's paths
    /// are its tape's plain ASCII names and indexes), so it is written as it stands.
    static func writeJSON<Out: ByteAppending>(path: UnsafeBufferPointer<UInt8>, plainPath: Bool = false, count: Int, zoneMinutes: Int,
                                              into out: inout Out, name: (Int, inout Out) -> Void, epoch: (Int) -> Int64) {
        out.append(literal: #"{"path":""#)
        if plainPath {
            out.append(contentsOf: path)
        } else {
            JSONWriter.quotedPieces(utf8: path) { out.append(contentsOf: $0) }
        }
        out.append(literal: #"","picture":""#)
        writePicture(count: count, zoneMinutes: zoneMinutes, into: &out, name: name, epoch: epoch)
        out.append(literal: #"","events":{"#)
        for i in 0..<count {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            name(i, &out)
            out.append(literal: #"":"#)
            TimeFormat.appendDecimal(Int(epoch(i)), into: &out)
        }
        out.append(literal: "}}")
    }

    /// The picture of a timeline given by its parts (see `writeJSON(path:…)`).
    static func writePicture<Out: ByteAppending>(count: Int, zoneMinutes: Int, into out: inout Out,
                                                 name: (Int, inout Out) -> Void, epoch: (Int) -> Int64) {
        for i in 0..<count {
            if i > 0 {
                out.append(literal: " ──")
                TimeFormat.appendDuration(seconds: epoch(i) - epoch(i - 1), into: &out)
                out.append(literal: "──▶ ")
            }
            name(i, &out)
            out.append(0x20)
            TimeFormat.appendClock(epoch(i), offsetMinutes: zoneMinutes, into: &out)
        }
        out.append(literal: " (")
        TimeFormat.appendZone(zoneMinutes, into: &out)
        out.append(UInt8(ascii: ")"))
    }

    public static func == (a: CallTimeline, b: CallTimeline) -> Bool {
        a.path == b.path && a.zoneMinutes == b.zoneMinutes && a.events.map(\.name) == b.events.map(\.name) && a.events.map(\.epoch) == b.events.map(\.epoch)
    }
}

/// A payload record with every field annotated.
public struct DecodedRecord: Equatable, Sendable {
    public var vendor: String?
    public var kind: String?
    public var title: String?
    /// certain, likely, possible, or unknown.
    public var confidence: String
    public var fingerprintMatched: Int
    public var fingerprintSize: Int
    public var fields: [AnnotatedField]
    public var warnings: [DecodeWarning]
    public var transcript: [TranscriptTurn]
    public var timelines: [CallTimeline]
    /// For batch summaries: the result code, its meaning, the duration in seconds, whether answered.
    public var result: String?
    public var resultMeaning: String?
    public var durationSeconds: Int64?
    public var answered: Bool?

    /// A record of nothing recognised: what a record reused from line to line starts as.
    public static var none: DecodedRecord {
        DecodedRecord(vendor: nil, kind: nil, title: nil, confidence: "unknown", fingerprintMatched: 0, fingerprintSize: 0,
                      fields: [], warnings: [], transcript: [], timelines: [])
    }

    /// The same document as `json`, written straight to bytes (the streaming path).
    public func writeJSON(into out: inout [UInt8]) {
        writeHead(into: &out)
        for (i, f) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            DecodedRecord.key("path", first: true, into: &out); DecodedRecord.string(f.path, into: &out)
            DecodedRecord.key("value", into: &out); JSONWriter.compact(f.value, into: &out)
            DecodedRecord.key("meaning", into: &out); DecodedRecord.string(f.meaning, into: &out)
            if let note = f.note { DecodedRecord.key("note", into: &out); DecodedRecord.string(note, into: &out) }
            out.append(UInt8(ascii: "}"))
        }
        writeTail(into: &out)
    }

    /// Everything before the first field: `{"vendor":…,"kind":…,"confidence":…,"fields":[`.
    func writeHead<Out: ByteAppending>(into out: inout Out) {
        out.append(UInt8(ascii: "{"))
        DecodedRecord.key("vendor", first: true, into: &out); DecodedRecord.string(vendor, into: &out)
        DecodedRecord.key("kind", into: &out); DecodedRecord.string(kind, into: &out)
        DecodedRecord.key("confidence", into: &out); DecodedRecord.string(confidence, into: &out)
        DecodedRecord.key("fields", into: &out)
        out.append(UInt8(ascii: "["))
    }

    /// Everything after the last field: the warnings, the transcript and timelines, the closing brace.
    func writeTail<Out: ByteAppending>(into out: inout Out) {
        writeTail(into: &out, writeTranscript: { out in
            guard !transcript.isEmpty else { return }
            DecodedRecord.list("transcript", transcript, into: &out) { t, out in
                DecodedRecord.member("path", t.path, first: true, into: &out)
                DecodedRecord.member("speaker", t.speaker, into: &out)
                DecodedRecord.member("offset", t.offset, into: &out)
                DecodedRecord.member("text", t.text, into: &out)
            }
        }, writeTimelines: { out in
            guard !timelines.isEmpty else { return }
            DecodedRecord.key("timeline", into: &out)
            out.append(UInt8(ascii: "["))
            for (i, t) in timelines.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                t.writeJSON(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        })
    }

    /// The same, with the transcript and the timelines written by `writeTranscript` and
    /// `writeTimelines` (a streamed record writes them straight from its bytes).
    func writeTail<Out: ByteAppending>(into out: inout Out, writeTranscript: (inout Out) -> Void,
                                       writeTimelines: (inout Out) -> Void) {
        out.append(UInt8(ascii: "]"))
        // Members written one by one (a list of pairs per entry was an allocation per transcript turn).
        DecodedRecord.list("warnings", warnings, into: &out) { w, out in
            DecodedRecord.member("code", w.code, first: true, into: &out)
            DecodedRecord.member("path", w.path, into: &out)
            DecodedRecord.member("message", w.message, into: &out)
        }
        writeTranscript(&out)
        writeTimelines(&out)
        out.append(UInt8(ascii: "}"))
    }

    /// `,"name":[{…},…]`, each object's members written by `members`.
    static func list<T, Out: ByteAppending>(_ name: StaticString, _ items: [T], into out: inout Out, _ members: (T, inout Out) -> Void) {
        key(name, into: &out)
        out.append(UInt8(ascii: "["))
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            members(item, &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
    }

    /// `,"name":"value"` (or `null`), without the comma for the first member.
    static func member<Out: ByteAppending>(_ name: StaticString, _ value: String?, first: Bool = false, into out: inout Out) {
        key(name, first: first, into: &out)
        string(value, into: &out)
    }

    @inline(__always)
    static func key<Out: ByteAppending>(_ k: StaticString, first: Bool = false, into out: inout Out) {
        if !first { out.append(UInt8(ascii: ",")) }
        out.append(UInt8(ascii: "\""))
        out.append(literal: k)
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
    }

    /// A JSON string (or `null`).
    static func string<Out: ByteAppending>(_ s: String?, into out: inout Out) {
        guard let s else { return out.append(literal: "null") }
        out.append(UInt8(ascii: "\""))
        JSONWriter.quotedPieces(s) { out.append(contentsOf: $0) }
        out.append(UInt8(ascii: "\""))
    }

    /// The record as a JSON value, read back from `writeJSON`: one writer, so the document and the
    /// stream can never disagree.
    public var json: JSONValue {
        var bytes: [UInt8] = []
        writeJSON(into: &bytes)
        return (try? JSONParser.parse(bytes: bytes)) ?? .null
    }
}
