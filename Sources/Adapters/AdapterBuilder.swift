import TextSupport

/// Validates a plugin's returned table against schema version 1 and copies it into an `Adapter`.
/// The schema is documented field by field in plugins/README.md.
public enum AdapterBuilder {
    public static let schemaVersion = 1


    /// Units the annotator understands (a field's `unit`).
    public static let fieldUnits: [String] = ["epoch-s", "epoch-ms", "epoch-auto", "datetime-local", "seconds", "milliseconds"]

    public static func build(_ root: PluginTable, origin: String) throws(SchemaError) -> Adapter {
        try buildReportingWarnings(root, origin: origin).adapter
    }

    /// The adapter, and what was ignored on the way (unknown keys), to report as warnings.
    public static func buildReportingWarnings(_ root: PluginTable, origin: String) throws(SchemaError) -> (adapter: Adapter, warnings: [SchemaError]) {
        let warnings = SchemaWarnings()
        let r = SchemaReader(root, path: "", warnings: warnings)
        r.onlyKeys(SchemaSection.plugin.keys)
        guard case .integer(let schema)? = root["schema"] else {
            throw SchemaError("schema", "required: the schema version this plugin follows (\(schemaVersion))")
        }
        guard schema == Int64(schemaVersion) else {
            throw SchemaError("schema", "version \(schema) is not supported (this callscope reads version \(schemaVersion))")
        }
        let id = try r.string("id")
        guard id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), id.first?.isLetter == true else {
            throw SchemaError("id", "'\(id)' must start with a letter and use letters, digits, - and _ only")
        }
        var hooks: Set<String> = []
        if let sign = root["sign"] {
            guard case .function = sign else { throw SchemaError("sign", "must be a function(request, credentials)") }
        }
        if let extra = try r.optionalTable("hooks") {
            for (name, value) in extra.table.fields {
                guard case .function = value else { throw SchemaError(extra.at(name), "must be a function") }
                hooks.insert(name)
            }
        }
        var commands: [PluginCommand] = []
        for (name, c) in try r.namedRecords("commands") {
            c.onlyKeys(SchemaSection.command.keys)
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
                throw SchemaError(c.path, "command names use letters, digits and -")
            }
            guard case .function? = c.table["run"] else { throw SchemaError(c.at("run"), "required: a function(args)") }
            commands.append(PluginCommand(name: name, summary: try c.string("summary"), usage: try c.optionalString("usage")))
        }
        var adapter = Adapter(
            id: id,
            name: try r.string("name"),
            version: try r.optionalString("version") ?? "0",
            summary: try r.optionalString("summary") ?? "",
            docs: try r.strings("docs"),
            origin: origin,
            regions: try r.records("regions").map { (x) throws(SchemaError) in try region(x) },
            credentials: try r.records("credentials").map { (x) throws(SchemaError) in try credential(x) },
            codeTables: try r.namedRecords("codes").map { (x) throws(SchemaError) in try codeTable(x.0, x.1) },
            payloads: try r.namedRecords("payloads").map { (x) throws(SchemaError) in try payload(x.0, x.1) },
            operations: try r.namedRecords("operations").map { (x) throws(SchemaError) in try operation(x.0, x.1) },
            webhooks: try r.records("webhooks").map { (x) throws(SchemaError) in try webhook(x) },
            pitfalls: try r.records("pitfalls").map { (x) throws(SchemaError) in
                x.onlyKeys(SchemaSection.pitfall.keys)
                var body: BodyTransform?
                if let name = try x.optionalString("body") {
                    guard let known = BodyTransform(rawValue: name) else {
                        throw SchemaError(x.at("body"), "unknown body transform '\(name)' (\(BodyTransform.allCases.map(\.rawValue).joined(separator: ", ")))")
                    }
                    body = known
                }
                return Pitfall(name: try x.string("name"), explanation: try x.string("explanation"), pins: try x.stringMap("pins"), body: body)
            },
            conflicts: try r.strings("conflicts"),
            undocumented: try r.strings("undocumented"),
            examples: try examples(r.optionalTable("examples")),
            canSign: root["sign"] != nil,
            hooks: hooks)
        adapter.commands = commands
        adapter.aliases = try r.strings("aliases")
        if let tz = try r.optionalTable("timezone") {
            tz.onlyKeys(SchemaSection.timezone.keys)
            let offset = try tz.string("offset")
            guard TimeZoneOffset.minutes(offset) != nil else { throw SchemaError(tz.at("offset"), "must look like +08:00 or -05:00") }
            adapter.timezone = offset
            adapter.timezoneNote = try tz.optionalString("note")
        }
        if let m = try r.optionalTable("mock") { adapter.mock = try mock(m) }
        adapter.pins = try r.namedRecords("pins").map { (x) throws(SchemaError) in try pin(x.0, x.1) }
        try checkFieldReferences(adapter)
        try checkMockReferences(adapter)
        return (adapter, warnings.list)
    }

    /// The mock's error codes must be in their table, and its operations declared.
    static func checkMockReferences(_ adapter: Adapter) throws(SchemaError) {
        for (i, e) in adapter.mock.errors.enumerated() {
            let path = "mock.errors[\(i + 1)]"
            guard let table = adapter.table(named: e.table) else { throw SchemaError(path + ".table", "no code table '\(e.table)' in this plugin") }
            for (key, code) in [("missing", e.missing), ("signature", e.signature), ("expired", e.expired), ("content_type", e.contentType)] {
                if let code, table.entry(code) == nil { throw SchemaError("\(path).\(key)", "code \(code) is not in table \(e.table)") }
            }
            if e.contentType != nil, e.mediaType == nil {
                throw SchemaError(path + ".media_type", "content_type needs the media type the vendor expects (media_type = \"application/json\")")
            }
        }
        for o in adapter.mock.operations where adapter.operation(named: o.operation) == nil {
            throw SchemaError("mock.operations.\(o.operation)", "no operation '\(o.operation)' in this plugin")
        }
    }

    /// A field's `unit` must be one the annotator knows, and its `table` one of the plugin's own
    /// (or `adapter:table`, checked when used): a typo would silently drop the annotation.
    static func checkFieldReferences(_ adapter: Adapter) throws(SchemaError) {
        for operation in adapter.operations {
            if let table = operation.response?.table, adapter.table(named: table) == nil {
                throw SchemaError("operations.\(operation.name).response.table", "no code table '\(table)' in this plugin")
            }
        }
        for payload in adapter.payloads {
            for (i, field) in payload.fields.enumerated() {
                let path = "payloads.\(payload.kind).fields[\(i + 1)]"
                if let unit = field.unit, !fieldUnits.contains(unit) {
                    let near = EditDistance.suggestions(for: unit, among: fieldUnits, limit: 1).first.map { " (did you mean '\($0)'?)" } ?? ""
                    throw SchemaError(path + ".unit", "unknown unit '\(unit)'\(near); known: \(fieldUnits.joined(separator: ", "))")
                }
                if let table = field.table, !table.contains(":"), adapter.table(named: table) == nil {
                    let near = EditDistance.suggestions(for: table, among: adapter.codeTables.map(\.name), limit: 1).first.map { " (did you mean '\($0)'?)" } ?? ""
                    throw SchemaError(path + ".table", "no code table '\(table)' in this plugin\(near)")
                }
            }
        }
    }


    static func region(_ r: SchemaReader) throws(SchemaError) -> Region {
        r.onlyKeys(SchemaSection.region.keys)
        return Region(code: try r.string("code"), name: try r.string("name"), baseURL: try r.string("base_url"),
                      note: try r.optionalString("note"))
    }

    static func mock(_ r: SchemaReader) throws(SchemaError) -> MockSpec {
        r.onlyKeys(SchemaSection.mock.keys)
        var spec = MockSpec()
        spec.signsResponses = try r.bool("sign_response")
        for e in try r.records("errors") {
            e.onlyKeys(SchemaSection.mockErrors.keys)
            spec.errors.append(MockSpec.ErrorCodes(table: try e.string("table"), missing: e.table["missing"]?.scalarText,
                                                   signature: e.table["signature"]?.scalarText, expired: e.table["expired"]?.scalarText,
                                                   contentType: e.table["content_type"]?.scalarText, mediaType: e.table["media_type"]?.scalarText))
        }
        for (name, o) in try r.namedRecords("operations") {
            o.onlyKeys(SchemaSection.mockOperation.keys)
            let fixture = try o.string("fixture")
            guard !fixture.hasPrefix("/"), !fixture.split(separator: "/").contains("..") else {
                throw SchemaError(o.at("fixture"), "must be a path inside the plugin's folder")
            }
            spec.operations.append(MockSpec.OperationData(operation: name, fixture: fixture, list: try o.optionalString("list")))
        }
        return spec
    }

    static func pin(_ name: String, _ r: SchemaReader) throws(SchemaError) -> PinSpec {
        r.onlyKeys(SchemaSection.pin.keys)
        var unit: PinSpec.Unit?
        if let text = try r.optionalString("unit") {
            guard let known = PinSpec.Unit(rawValue: text) else {
                throw SchemaError(r.at("unit"), "unknown unit '\(text)' (\(PinSpec.Unit.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            unit = known
        }
        return PinSpec(name: name, doc: try r.optionalString("doc"), unit: unit, values: try r.strings("values"),
                       defaultValue: try r.optionalString("default"), label: try r.optionalString("label"), statedIn: try r.optionalString("stated_in"))
    }

    static func credential(_ r: SchemaReader) throws(SchemaError) -> Credential {
        r.onlyKeys(SchemaSection.credential.keys)
        return Credential(name: try r.string("name"), secret: try r.bool("secret"), vendorName: try r.optionalString("vendor_name"),
                          optional: try r.bool("optional"))
    }

    static let entryKeys: Set<String> = ["hint", "doc", "aliases", "name"]

    static func codeTable(_ name: String, _ r: SchemaReader) throws(SchemaError) -> CodeTable {
        r.onlyKeys(SchemaSection.codeTable.keys)
        guard let values = try r.optionalTable("values"), values.table.fields.isEmpty, !values.table.array.isEmpty else {
            throw SchemaError(r.at("values"), "required: a list of { code, meaning, … } entries")
        }
        var entries: [CodeEntry] = []
        var seen = Set<String>()
        for (i, item) in values.table.array.enumerated() {
            let path = values.at(i)
            guard case .table(let t) = item, t.array.count == 2 else {
                throw SchemaError(path, "must be { code, \"meaning\", … }")
            }
            guard let code = t.array[0].scalarText else { throw SchemaError(path, "code must be a number or string") }
            guard case .string(let meaning) = t.array[1], !meaning.isEmpty else { throw SchemaError(path, "meaning must be a non-empty string") }
            guard seen.insert(code).inserted else { throw SchemaError(path, "code \(code) appears twice") }
            let e = SchemaReader(t, path: path, warnings: r.warnings)
            var aliases = try e.strings("aliases")
            var attributes = CodeAttributes()
            for (key, value) in t.fields where !entryKeys.contains(key) {
                guard let text = value.scalarText else { throw SchemaError(e.at(key), "must be a string or number") }
                attributes[key] = text
            }
            if let entryName = try e.optionalString("name") {
                aliases.insert(entryName, at: 0)
                attributes["name"] = entryName
            }
            entries.append(CodeEntry(code: code, meaning: meaning, hint: try e.optionalString("hint"), doc: try e.optionalString("doc"),
                                     aliases: aliases, attributes: attributes))
        }
        let count = try r.optionalInt("count")
        var table = CodeTable(name: name, title: try r.optionalString("title") ?? name, doc: try r.optionalString("doc"),
                              family: try r.optionalString("family"), expectedCount: count, entries: entries)
        table.aliases = try r.strings("aliases")
        return table
    }

    static let fieldTypes: Set<String> = ["string", "integer", "number", "boolean", "object", "array", "any"]

    static func fields(_ r: SchemaReader, _ key: String) throws(SchemaError) -> [FieldSpec] {
        guard let list = try r.optionalTable(key) else { return [] }
        var out: [FieldSpec] = []
        for (i, item) in list.table.array.enumerated() {
            let path = list.at(i)
            guard case .table(let t) = item, t.array.count >= 2,
                  case .string(let fieldPath) = t.array[0], case .string(let type) = t.array[1] else {
                throw SchemaError(path, "must be { \"path\", \"type\", meaning = …, … }")
            }
            guard fieldTypes.contains(type) else {
                throw SchemaError(path, "type '\(type)' is not one of \(fieldTypes.sorted().joined(separator: ", "))")
            }
            let f = SchemaReader(t, path: path, warnings: r.warnings)
            f.onlyKeys(SchemaSection.field.keys)
            out.append(FieldSpec(path: fieldPath, type: type, unit: try f.optionalString("unit"), zone: try f.optionalString("zone"),
                                 meaning: try f.optionalString("meaning") ?? "", table: try f.optionalString("table"),
                                 required: try f.bool("required")))
        }
        return out
    }

    static func payload(_ kind: String, _ r: SchemaReader) throws(SchemaError) -> PayloadSchema {
        r.onlyKeys(SchemaSection.payload.keys)
        let fingerprint = try r.strings("fingerprint")
        guard !fingerprint.isEmpty else { throw SchemaError(r.at("fingerprint"), "required: field paths that identify this payload") }
        var transcript: TranscriptSpec?
        if let t = try r.optionalTable("transcript") {
            t.onlyKeys(SchemaSection.transcript.keys)
            transcript = TranscriptSpec(path: try t.string("path"), text: try t.string("text"), speaker: try t.optionalString("speaker"),
                                        offset: try t.optionalString("offset"))
        }
        var timeline: TimelineSpec?
        if let t = try r.optionalTable("timeline") {
            t.onlyKeys(SchemaSection.timeline.keys)
            timeline = TimelineSpec(each: try t.optionalString("each"), originate: try t.optionalString("originate"),
                                    ring: try t.optionalString("ring"), answer: try t.optionalString("answer"),
                                    end: try t.optionalString("end"), elapsed: try t.optionalString("elapsed"))
        }
        var summary: SummarySpec?
        if let s = try r.optionalTable("summary") {
            s.onlyKeys(SchemaSection.summary.keys)
            var values: [String] = []
            if let list = try s.optionalTable("answered_values") { values = list.table.array.compactMap(\.scalarText) }
            summary = SummarySpec(result: try s.string("result"), duration: try s.optionalString("duration"),
                                  answered: try s.optionalString("answered"), answeredValues: values)
        }
        let fields = try fields(r, "fields")
        let known = Set(fields.map(\.path))
        for (name, path) in [("transcript.path", transcript?.path), ("timeline.each", timeline?.each), ("summary.result", summary?.result)] {
            if let path, !known.contains(path) { throw SchemaError(r.at(name), "'\(path)' is not one of the payload's fields") }
        }
        return PayloadSchema(kind: kind, title: try r.optionalString("title") ?? kind, fingerprint: fingerprint,
                             fields: fields, isArray: try r.bool("array"), transcript: transcript, timeline: timeline, summary: summary)
    }

    static func operation(_ name: String, _ r: SchemaReader) throws(SchemaError) -> Operation {
        r.onlyKeys(SchemaSection.operation.keys)
        var paging: Paging?
        if let p = try r.optionalTable("paging") {
            p.onlyKeys(SchemaSection.paging.keys)
            paging = Paging(pageField: try p.string("page"), sizeField: try p.string("size"), maxSize: try p.optionalInt("max"),
                            totalField: try p.optionalString("total"))
        }
        var response: ResponseEnvelope?
        if let e = try r.optionalTable("response") {
            e.onlyKeys(SchemaSection.response.keys)
            guard let success = e.table["success"]?.scalarText else { throw SchemaError(e.at("success"), "required: the success code") }
            response = ResponseEnvelope(codeField: try e.string("code"), messageField: try e.optionalString("message"),
                                        dataField: try e.optionalString("data"), success: success, table: try e.optionalString("table"))
        }
        let method = try r.string("method").uppercased()
        guard ["GET", "POST", "PUT", "DELETE", "PATCH"].contains(method) else { throw SchemaError(r.at("method"), "unknown HTTP method \(method)") }
        return Operation(name: name, method: method, path: try r.string("path"), summary: try r.optionalString("summary") ?? "",
                         body: try fields(r, "body"), paging: paging, response: response, limits: try r.strings("limits"),
                         doc: try r.optionalString("doc"), family: try r.optionalString("family"))
    }

    static func webhook(_ r: SchemaReader) throws(SchemaError) -> Webhook {
        r.onlyKeys(SchemaSection.webhook.keys)
        var hook = Webhook(kind: try r.string("kind"), payload: try r.optionalString("payload"),
                           acknowledgement: try r.optionalString("ack") ?? "not documented",
                           retry: try r.optionalString("retry") ?? "not documented",
                           signing: try r.optionalString("signing") ?? "not documented")
        if let text = try r.optionalString("signed") {
            guard let signed = Webhook.Signed(rawValue: text) else { throw SchemaError(r.at("signed"), "must be \"yes\", \"optional\" or \"no\"") }
            hook.signed = signed
        }
        if let a = try r.optionalTable("ack_check") {
            a.onlyKeys(SchemaSection.ackCheck.keys)
            hook.ackCheck = Webhook.AckCheck(status: try a.optionalInt("status") ?? 200, path: try a.optionalString("path"), equals: a.table["equals"]?.scalarText)
        }
        if let list = try r.optionalTable("retry_after") {
            hook.retrySchedule = try list.table.array.enumerated().map { (i, v) throws(SchemaError) in
                guard case .integer(let n) = v, n > 0 else { throw SchemaError(list.at(i), "must be a number of seconds") }
                return Int(n)
            }
        }
        if let type = try r.optionalString("content_type") { hook.contentType = type }
        return hook
    }

    static func examples(_ r: SchemaReader?) throws(SchemaError) -> Examples {
        guard let r else { return Examples() }
        r.onlyKeys(SchemaSection.examples.keys)
        var result = Examples()
        for (i, s) in try r.records("sign").enumerated() {
            s.onlyKeys(SchemaSection.signExample.keys)
            let provenance = try s.optionalString("provenance") ?? "derived"
            guard ["verified", "derived"].contains(provenance) else {
                throw SchemaError(s.at("provenance"), "must be \"verified\" (published by the vendor) or \"derived\"")
            }
            let expect = try s.stringMap("expect")
            guard !expect.isEmpty else { throw SchemaError(s.at("expect"), "required: the values the signature must produce") }
            result.sign.append(SignExample(name: try s.optionalString("name") ?? "example \(i + 1)", operation: try s.optionalString("operation"),
                                           method: try s.optionalString("method"), path: try s.optionalString("path"),
                                           query: try s.stringMap("query"),
                                           credentials: try s.stringMap("cred"), pins: try s.stringMap("pin"),
                                           body: try s.optionalString("body"), expect: expect, provenance: provenance))
        }
        for (i, d) in try r.records("decode").enumerated() {
            d.onlyKeys(SchemaSection.decodeExample.keys)
            let fixture = try d.string("fixture")
            guard !fixture.hasPrefix("/"), !fixture.split(separator: "/").contains("..") else {
                throw SchemaError(d.at("fixture"), "must be a path inside the plugin's folder")
            }
            result.decode.append(DecodeExample(name: try d.optionalString("name") ?? "decode \(i + 1)", fixture: fixture, kind: try d.string("kind"),
                                               records: try d.optionalInt("records"), fields: try d.stringMap("fields"), warnings: try d.strings("warnings")))
        }
        for e in try r.records("explain") {
            e.onlyKeys(SchemaSection.explainExample.keys)
            guard let code = e.table["code"]?.scalarText else { throw SchemaError(e.at("code"), "required") }
            result.explain.append(ExplainExample(table: try e.string("table"), code: code, contains: try e.string("contains")))
        }
        return result
    }
}

/// Every key schema version 1 accepts, by the table it belongs in: what the validator checks and
/// what plugins/README.md must document (a test holds the two together).
public enum SchemaSection: String, CaseIterable, Sendable {
    case plugin
    case command
    case pitfall
    case timezone
    case region
    case pin
    case credential
    case codeTable
    case field
    case payload
    case transcript
    case timeline
    case summary
    case operation
    case paging
    case response
    case webhook
    case examples
    case signExample
    case explainExample
    case decodeExample
    case mock
    case ackCheck
    case mockErrors
    case mockOperation

    public var keys: Set<String> { Set(keyList) }

    /// In the order the documentation gives them.
    public var keyList: [String] {
        switch self {
        case .plugin: return ["schema", "id", "aliases", "name", "version", "summary", "docs", "regions", "credentials", "codes", "payloads", "operations", "webhooks", "pitfalls", "conflicts", "undocumented", "examples", "sign", "hooks", "commands", "timezone", "pins", "mock"]
        case .command: return ["summary", "usage", "run"]
        case .pitfall: return ["name", "explanation", "pins", "body"]
        case .timezone: return ["offset", "note"]
        case .region: return ["code", "name", "base_url", "note"]
        case .pin: return ["doc", "unit", "values", "default", "label", "stated_in"]
        case .credential: return ["name", "secret", "vendor_name", "optional"]
        case .codeTable: return ["title", "doc", "family", "count", "values", "aliases"]
        case .field: return ["unit", "zone", "meaning", "table", "required"]
        case .payload: return ["title", "fingerprint", "fields", "array", "transcript", "timeline", "summary"]
        case .transcript: return ["path", "text", "speaker", "offset"]
        case .timeline: return ["each", "originate", "ring", "answer", "end", "elapsed"]
        case .summary: return ["result", "duration", "answered", "answered_values"]
        case .operation: return ["method", "path", "summary", "body", "paging", "response", "limits", "doc", "family"]
        case .paging: return ["page", "size", "max", "total"]
        case .response: return ["code", "message", "data", "success", "table"]
        case .webhook: return ["kind", "payload", "ack", "retry", "signing", "signed", "ack_check", "retry_after", "content_type"]
        case .ackCheck: return ["status", "path", "equals"]
        case .examples: return ["sign", "explain", "decode"]
        case .signExample: return ["name", "operation", "method", "path", "query", "cred", "pin", "body", "expect", "provenance"]
        case .explainExample: return ["table", "code", "contains"]
        case .decodeExample: return ["name", "fixture", "kind", "records", "fields", "warnings"]
        case .mock: return ["errors", "operations", "sign_response"]
        case .mockErrors: return ["table", "missing", "signature", "expired", "content_type", "media_type"]
        case .mockOperation: return ["fixture", "list"]
        }
    }
}
