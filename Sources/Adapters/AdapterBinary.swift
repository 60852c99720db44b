/// A compact binary form of `Adapter` for the adapter cache: fields in declaration order,
/// integers as varints, strings as length-prefixed UTF-8. Read back without Codable's overhead.
public protocol BinaryCodable {
    func encode(to writer: inout BinaryWriter)
    init(from reader: inout BinaryReader) throws(BinaryReader.Failure)
}

public struct BinaryWriter {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    /// Room for `capacity` bytes from the start (no regrowing on the way for a known size).
    public init(capacity: Int) { bytes.reserveCapacity(capacity) }

    public mutating func write(_ value: Int) {
        var v = UInt64(bitPattern: Int64(value)) << 1 ^ UInt64(bitPattern: Int64(value) >> 63)
        while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }
    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }
    public mutating func write(_ value: String) {
        var s = value
        s.withUTF8 { utf8 in
            write(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }
    /// Bytes behind their count, as `BinaryReader.section()` reads them.
    public mutating func write(bytes: [UInt8]) {
        write(bytes.count)
        self.bytes.append(contentsOf: bytes)
    }
    public mutating func write<T: BinaryCodable>(_ value: T) { value.encode(to: &self) }
    /// An optional string, as the generic form writes it (without its cost across modules).
    public mutating func write(_ value: String?) {
        write(value != nil)
        if let value { write(value) }
    }
    public mutating func write<T: BinaryCodable>(_ value: T?) {
        write(value != nil)
        if let value { value.encode(to: &self) }
    }
    public mutating func write<T: BinaryCodable>(_ values: [T]) {
        write(values.count)
        for v in values { v.encode(to: &self) }
    }
    /// `values` behind their length in bytes, so a reader can keep them undecoded (`section()`).
    public mutating func writeSection<T: BinaryCodable>(_ values: [T]) {
        var inner = BinaryWriter()
        inner.write(values)
        write(bytes: inner.bytes)
    }

    /// One value behind its length in bytes, as `writeSection` writes a list.
    public mutating func writeSection<T: BinaryCodable>(_ value: T) {
        var inner = BinaryWriter()
        inner.write(value)
        write(bytes: inner.bytes)
    }
}

public struct BinaryReader {
    public struct Failure: Error { public init() {} }
    private let bytes: [UInt8]
    private var position = 0
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public mutating func int() throws(Failure) -> Int {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count, shift < 64 else { throw Failure() }
            let b = bytes[position]
            position += 1
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { break }
            shift += 7
        }
        return Int(Int64(bitPattern: result >> 1 ^ (0 &- (result & 1))))
    }
    public mutating func bool() throws(Failure) -> Bool {
        guard position < bytes.count else { throw Failure() }
        position += 1
        return bytes[position - 1] != 0
    }
    public mutating func string() throws(Failure) -> String {
        let n = try int()
        guard n >= 0, n <= bytes.count - position else { throw Failure() }
        defer { position += n }
        return String(decoding: bytes[position..<position + n], as: UTF8.self)
    }
    public mutating func read<T: BinaryCodable>(_: T.Type = T.self) throws(Failure) -> T { try T(from: &self) }
    public mutating func optional<T: BinaryCodable>(_: T.Type = T.self) throws(Failure) -> T? {
        try bool() ? try T(from: &self) : nil
    }
    public mutating func array<T: BinaryCodable>(_: T.Type = T.self) throws(Failure) -> [T] {
        let n = try int()
        guard n >= 0, n <= bytes.count else { throw Failure() }
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try T(from: &self)) }
        return out
    }
    /// The bytes of a section written by `writeSection`, not yet decoded.
    public mutating func section() throws(Failure) -> [UInt8] {
        let n = try int()
        guard n >= 0, n <= bytes.count - position else { throw Failure() }
        defer { position += n }
        return Array(bytes[position..<position + n])
    }
    public var atEnd: Bool { position == bytes.count }
}

extension String: BinaryCodable {
    public func encode(to w: inout BinaryWriter) { w.write(self) }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) { self = try r.string() }
}

extension Int: BinaryCodable {
    public func encode(to w: inout BinaryWriter) { w.write(self) }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) { self = try r.int() }
}

/// `[String: String]` as sorted pairs.
struct StringPair: BinaryCodable {
    var key: String
    var value: String
    init(_ key: String, _ value: String) { self.key = key; self.value = value }
    func encode(to w: inout BinaryWriter) { w.write(key); w.write(value) }
    init(from r: inout BinaryReader) throws(BinaryReader.Failure) { key = try r.string(); value = try r.string() }
}

extension BinaryWriter {
    mutating func write(_ map: [String: String]) { write(map.sorted { $0.key < $1.key }.map { StringPair($0.key, $0.value) }) }
    mutating func write(_ map: [String: Int32]) { write(map.sorted { $0.key < $1.key }.map { StringPair($0.key, String($0.value)) }) }
    /// A code's attributes: sorted pairs, the same bytes as a map.
    mutating func write(_ attributes: CodeAttributes) { write(attributes.attributes) }
}

/// One pair of a code's attributes, as `StringPair` writes a map's.
extension CodeAttributes.Attribute: BinaryCodable {
    public func encode(to w: inout BinaryWriter) { w.write(key); w.write(value) }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) { self.init(key: try r.string(), value: try r.string()) }
}

extension BinaryReader {
    /// A code's attributes; pairs out of order or twice read as damage.
    mutating func attributes() throws(Failure) -> CodeAttributes {
        guard let attributes = CodeAttributes(sorted: try array()) else { throw Failure() }
        return attributes
    }

    /// Read straight into a dictionary of the stored size (most code entries have none).
    mutating func map() throws(Failure) -> [String: String] {
        let n = try int()
        guard n > 0 else { if n == 0 { return [:] }; throw Failure() }
        guard n <= bytes.count else { throw Failure() }
        var out = [String: String](minimumCapacity: n)
        for _ in 0..<n {
            let key = try string()
            out[key] = try string()
        }
        return out
    }
}

extension Adapter {
    /// A copy whose parts decoding reads for every record — its id, code tables, payload schemas
    /// and time zone — share no storage with this adapter's (made anew through their binary
    /// form); the rest is shared, as decoding never reads it. For a thread decoding beside
    /// another: a retain writes the object's reference count, and two cores retaining the same
    /// objects for every record take turns at their cache lines.
    public func unsharedForDecoding() -> Adapter {
        func fresh(_ text: String) -> String { String(decoding: Array(text.utf8), as: UTF8.self) }
        func fresh<T: BinaryCodable>(_ values: [T]) -> [T] {
            var writer = BinaryWriter()
            writer.write(values)
            var reader = BinaryReader(writer.bytes)
            return (try? reader.array(T.self)) ?? values
        }
        var copy = self
        copy.id = fresh(id)
        copy.codeTables = fresh(codeTables)
        copy.payloads = fresh(payloads)
        copy.timezone = timezone.map(fresh)
        return copy
    }
}

extension Adapter: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(id); w.write(name); w.write(version); w.write(summary); w.write(docs); w.write(origin)
        w.write(regions); w.write(credentials); w.write(codeTables); w.writeSection(payloads); w.writeSection(operations)
        w.write(webhooks); w.write(pitfalls); w.write(conflicts); w.write(undocumented); w.writeSection(examples)
        w.write(canSign); w.write(hooks.sorted()); w.write(commands.map { [$0.name, $0.summary, $0.usage ?? ""] }.map(StringList.init))
        w.write(timezone); w.write(timezoneNote); w.write(pins); w.write(mock); w.write(aliases)
    }

    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) {
        id = try r.string(); name = try r.string(); version = try r.string(); summary = try r.string()
        docs = try r.array(); origin = try r.string()
        regions = try r.array(); credentials = try r.array(); codeTables = try r.array()
        payloadSection = DeferredSection(bytes: try r.section(), empty: []) { r throws(BinaryReader.Failure) in try r.array() }
        operationSection = DeferredSection(bytes: try r.section(), empty: []) { r throws(BinaryReader.Failure) in try r.array() }
        webhooks = try r.array(); pitfalls = try r.array(); conflicts = try r.array()
        undocumented = try r.array()
        exampleSection = DeferredSection(bytes: try r.section(), empty: Examples()) { r throws(BinaryReader.Failure) in try r.read() }
        canSign = try r.bool()
        hooks = Set(try r.array(String.self))
        commands = []
        for list in try r.array(StringList.self) {
            guard list.items.count == 3 else { throw BinaryReader.Failure() }
            commands.append(PluginCommand(name: list.items[0], summary: list.items[1], usage: list.items[2].isEmpty ? nil : list.items[2]))
        }
        timezone = try r.optional(); timezoneNote = try r.optional(); pins = try r.array(); mock = try r.read(); aliases = try r.array()
    }
}

struct StringList: BinaryCodable {
    var items: [String]
    init(_ items: [String]) { self.items = items }
    func encode(to w: inout BinaryWriter) { w.write(items) }
    init(from r: inout BinaryReader) throws(BinaryReader.Failure) {
        items = try r.array()
        guard items.count >= 3 else { throw BinaryReader.Failure() }
    }
}

extension Region: BinaryCodable {
    public func encode(to w: inout BinaryWriter) { w.write(code); w.write(name); w.write(baseURL); w.write(note) }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) {
        code = try r.string(); name = try r.string(); baseURL = try r.string(); note = try r.optional()
    }
}

extension PinSpec: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(name); w.write(doc); w.write(unit?.rawValue); w.write(values); w.write(defaultValue); w.write(label); w.write(statedIn)
    }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) {
        name = try r.string(); doc = try r.optional()
        let unitText: String? = try r.optional()
        if let unitText { guard let known = Unit(rawValue: unitText) else { throw BinaryReader.Failure() }; unit = known } else { unit = nil }
        values = try r.array(); defaultValue = try r.optional(); label = try r.optional(); statedIn = try r.optional()
    }
}

extension MockSpec: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(errors.map { StringList([$0.table, $0.missing ?? "\u{0}", $0.signature ?? "\u{0}", $0.expired ?? "\u{0}",
                                         $0.contentType ?? "\u{0}", $0.mediaType ?? "\u{0}"]) })
        w.write(operations.map { StringList([$0.operation, $0.fixture, $0.list ?? "\u{0}"]) })
        w.write(signsResponses)
    }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) {
        self.init()
        func optional(_ s: String) -> String? { s == "\u{0}" ? nil : s }
        for list in try r.array(StringList.self) {
            guard list.items.count == 6 else { throw BinaryReader.Failure() }
            errors.append(ErrorCodes(table: list.items[0], missing: optional(list.items[1]), signature: optional(list.items[2]),
                                     expired: optional(list.items[3]), contentType: optional(list.items[4]), mediaType: optional(list.items[5])))
        }
        for list in try r.array(StringList.self) {
            guard list.items.count == 3 else { throw BinaryReader.Failure() }
            operations.append(OperationData(operation: list.items[0], fixture: list.items[1], list: optional(list.items[2])))
        }
        signsResponses = try r.bool()
    }
}

extension Credential: BinaryCodable {
    public func encode(to w: inout BinaryWriter) { w.write(name); w.write(secret); w.write(vendorName); w.write(optional) }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) {
        name = try r.string(); secret = try r.bool(); vendorName = try r.optional(); optional = try r.bool()
    }
}

extension CodeEntry: BinaryCodable {
    public func encode(to w: inout BinaryWriter) { w.write(code); w.write(meaning); w.write(hint); w.write(doc); w.write(aliases); w.write(attributes) }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) {
        code = try r.string(); meaning = try r.string(); hint = try r.optional(); doc = try r.optional()
        aliases = try r.array(); attributes = try r.attributes()
    }
}

extension CodeTable: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(name); w.write(title); w.write(doc); w.write(family); w.write(expectedCount); w.write(entries); w.write(aliases)
    }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) {
        name = try r.string(); title = try r.string(); doc = try r.optional(); family = try r.optional()
        expectedCount = try r.optional(); entries = try r.array(); aliases = try r.array()
    }
}

extension FieldSpec: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(path); w.write(type); w.write(unit); w.write(zone); w.write(meaning); w.write(table); w.write(required)
    }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) {
        path = try r.string(); type = try r.string(); unit = try r.optional(); zone = try r.optional()
        meaning = try r.string(); table = try r.optional(); required = try r.bool()
    }
}

extension TranscriptSpec: BinaryCodable {
    public func encode(to w: inout BinaryWriter) { w.write(path); w.write(text); w.write(speaker); w.write(offset) }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) {
        path = try r.string(); text = try r.string(); speaker = try r.optional(); offset = try r.optional()
    }
}

extension TimelineSpec: BinaryCodable {
    public func encode(to w: inout BinaryWriter) { w.write(each); w.write(originate); w.write(ring); w.write(answer); w.write(end); w.write(elapsed) }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) {
        each = try r.optional(); originate = try r.optional(); ring = try r.optional(); answer = try r.optional()
        end = try r.optional(); elapsed = try r.optional()
    }
}

extension SummarySpec: BinaryCodable {
    public func encode(to w: inout BinaryWriter) { w.write(result); w.write(duration); w.write(answered); w.write(answeredValues) }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) {
        result = try r.string(); duration = try r.optional(); answered = try r.optional(); answeredValues = try r.array()
    }
}

extension PayloadSchema: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(kind); w.write(title); w.write(fingerprint); w.write(fields); w.write(isArray)
        w.write(transcript); w.write(timeline); w.write(summary)
    }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) {
        kind = try r.string(); title = try r.string(); fingerprint = try r.array(); fields = try r.array(); isArray = try r.bool()
        transcript = try r.optional(); timeline = try r.optional(); summary = try r.optional()
    }
}

extension Paging: BinaryCodable {
    public func encode(to w: inout BinaryWriter) { w.write(pageField); w.write(sizeField); w.write(maxSize); w.write(totalField) }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) {
        pageField = try r.string(); sizeField = try r.string(); maxSize = try r.optional(); totalField = try r.optional()
    }
}

extension ResponseEnvelope: BinaryCodable {
    public func encode(to w: inout BinaryWriter) { w.write(codeField); w.write(messageField); w.write(dataField); w.write(success); w.write(table) }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) {
        codeField = try r.string(); messageField = try r.optional(); dataField = try r.optional(); success = try r.string(); table = try r.optional()
    }
}

extension Operation: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(name); w.write(method); w.write(path); w.write(summary); w.write(body); w.write(paging); w.write(response)
        w.write(limits); w.write(doc); w.write(family)
    }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) {
        name = try r.string(); method = try r.string(); path = try r.string(); summary = try r.string(); body = try r.array()
        paging = try r.optional(); response = try r.optional(); limits = try r.array(); doc = try r.optional(); family = try r.optional()
    }
}

extension Webhook: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(kind); w.write(payload); w.write(acknowledgement); w.write(retry); w.write(signing)
        w.write(signed.rawValue); w.write(ackCheck.map { StringList([String($0.status), $0.path ?? "\u{0}", $0.equals ?? "\u{0}"]) })
        w.write(retrySchedule.map(String.init)); w.write(contentType)
    }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) {
        kind = try r.string(); payload = try r.optional(); acknowledgement = try r.string(); retry = try r.string(); signing = try r.string()
        guard let signed = Signed(rawValue: try r.string()) else { throw BinaryReader.Failure() }
        self.signed = signed
        if let list: StringList = try r.optional() {
            guard list.items.count == 3, let status = Int(list.items[0]) else { throw BinaryReader.Failure() }
            ackCheck = AckCheck(status: status, path: list.items[1] == "\u{0}" ? nil : list.items[1], equals: list.items[2] == "\u{0}" ? nil : list.items[2])
        }
        retrySchedule = try r.array(String.self).compactMap { Int($0) }
        contentType = try r.string()
    }
}

extension Pitfall: BinaryCodable {
    public func encode(to w: inout BinaryWriter) { w.write(name); w.write(explanation); w.write(pins); w.write(body?.rawValue) }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) {
        name = try r.string(); explanation = try r.string(); pins = try r.map()
        let transform: String? = try r.optional()
        if let transform { guard let known = BodyTransform(rawValue: transform) else { throw BinaryReader.Failure() }; body = known } else { body = nil }
    }
}

extension SignExample: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(name); w.write(operation); w.write(method); w.write(path); w.write(query); w.write(credentials); w.write(pins)
        w.write(body); w.write(expect); w.write(provenance)
    }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) {
        name = try r.string(); operation = try r.optional(); method = try r.optional(); path = try r.optional(); query = try r.map()
        credentials = try r.map(); pins = try r.map(); body = try r.optional(); expect = try r.map(); provenance = try r.string()
    }
}

extension ExplainExample: BinaryCodable {
    public func encode(to w: inout BinaryWriter) { w.write(table); w.write(code); w.write(contains) }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) { table = try r.string(); code = try r.string(); contains = try r.string() }
}

extension DecodeExample: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(name); w.write(fixture); w.write(kind); w.write(records); w.write(fields); w.write(warnings)
    }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) {
        name = try r.string(); fixture = try r.string(); kind = try r.string(); records = try r.optional(); fields = try r.map(); warnings = try r.array()
    }
}

extension Examples: BinaryCodable {
    public func encode(to w: inout BinaryWriter) { w.write(sign); w.write(explain); w.write(decode) }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) { self.init(sign: try r.array(), explain: try r.array(), decode: try r.array()) }
}
