/// One vendor adapter, validated and copied out of its plugin once at load. Immutable; decode,
/// explain and completion read only this, never Lua.
public struct Adapter: Sendable, Equatable {
    public var id: String
    /// Other names users type for the vendor (`aliyun`, `callbot`).
    public var aliases: [String] = []
    public var name: String
    public var version: String
    public var summary: String
    public var docs: [String]
    /// Where the plugin was loaded from (its folder).
    public var origin: String
    public var regions: [Region]
    public var credentials: [Credential]
    public var codeTables: [CodeTable]
    public var payloads: [PayloadSchema] {
        get { payloadSection.value }
        set { payloadSection = DeferredSection(newValue) }
    }
    public var operations: [Operation] {
        get { operationSection.value }
        set { operationSection = DeferredSection(newValue) }
    }
    var payloadSection: DeferredSection<[PayloadSchema]>
    var operationSection: DeferredSection<[Operation]>
    public var webhooks: [Webhook]
    public var pitfalls: [Pitfall]
    /// Facts the sources disagree on, shown rather than resolved.
    public var conflicts: [String]
    /// What the sources do not document (shown as "not documented").
    public var undocumented: [String]
    /// The plugin's own examples (for `plugins test` and the help texts): decoded on first use.
    public var examples: Examples {
        get { exampleSection.value }
        set { exampleSection = DeferredSection(newValue) }
    }
    var exampleSection: DeferredSection<Examples>
    /// Whether the plugin has a `sign` function (and so `verify` support).
    public var canSign: Bool
    /// Names of the optional functions the plugin provides (`signature_of`, `mock`, …); the
    /// functions themselves stay inside the plugin host.
    public var hooks: Set<String>
    /// Shell commands the plugin adds.
    public var commands: [PluginCommand] = []
    /// The values a sender chooses that the sign function reads from `req.pin` (a timestamp, a
    /// digest): what `--pin` accepts, and what the diagnosis varies.
    public var pins: [PinSpec] = []
    /// How the local stand-in of the vendor (`mock`) answers; empty when the plugin says nothing.
    public var mock = MockSpec()
    /// The vendor's local time zone as an offset ("+08:00"), with why it is assumed; nil if unknown.
    public var timezone: String?
    public var timezoneNote: String?

    /// An adapter built in Swift (tests, tools); plugins are read by `AdapterBuilder`.
    public init(id: String, name: String, version: String = "1", summary: String = "", docs: [String] = [], origin: String = "",
                regions: [Region] = [], credentials: [Credential] = [], codeTables: [CodeTable] = [], payloads: [PayloadSchema] = [],
                operations: [Operation] = [], webhooks: [Webhook] = [], pitfalls: [Pitfall] = [], conflicts: [String] = [],
                undocumented: [String] = [], examples: Examples = Examples(), canSign: Bool = false, hooks: Set<String> = [],
                pins: [PinSpec] = []) {
        self.id = id
        self.name = name
        self.version = version
        self.summary = summary
        self.docs = docs
        self.origin = origin
        self.regions = regions
        self.credentials = credentials
        self.codeTables = codeTables
        self.payloadSection = DeferredSection(payloads)
        self.operationSection = DeferredSection(operations)
        self.webhooks = webhooks
        self.pitfalls = pitfalls
        self.conflicts = conflicts
        self.undocumented = undocumented
        self.exampleSection = DeferredSection(examples)
        self.canSign = canSign
        self.hooks = hooks
        self.pins = pins
    }

    /// The table called `name`, in any case (`callresult` is `callResult`).
    public func table(named name: String) -> CodeTable? {
        codeTables.first { $0.name == name } ?? codeTables.first { $0.name.lowercased() == name.lowercased() }
    }
    public func operation(named name: String) -> Operation? { operations.first { $0.name == name } }
    public func payload(_ kind: String) -> PayloadSchema? { payloads.first { $0.kind == kind } }
    public var secretCredentialNames: [String] { credentials.filter(\.secret).map(\.name) }
    /// The credentials signing needs (all but the optional ones).
    public var requiredCredentialNames: [String] { credentials.filter { !$0.optional }.map(\.name) }
    /// The secrets verifying needs (the required secret ones).
    public var requiredSecretNames: [String] { credentials.filter { $0.secret && !$0.optional }.map(\.name) }
}

/// A shell command contributed by a plugin: `run(args)` returns text (or a table, shown as JSON).
public struct PluginCommand: Sendable, Equatable {
    public var name: String
    public var summary: String
    public var usage: String?

    public init(name: String, summary: String, usage: String?) {
        self.name = name
        self.summary = summary
        self.usage = usage
    }
}

/// What a plugin tells the mock: which of its codes answer which mistake, and the data of its
/// operations. Everything else the mock says it does not know.
public struct MockSpec: Sendable, Equatable {
    /// The codes that answer each kind of mistake, for the operations whose envelope uses `table`.
    public struct ErrorCodes: Sendable, Equatable {
        public var table: String
        /// A required signature header is absent.
        public var missing: String?
        public var signature: String?
        public var expired: String?
        /// A request body sent with another media type than `mediaType` (NXLink: 1003).
        public var contentType: String?
        /// The media type the vendor expects of a request body (`application/json`), when it is documented.
        public var mediaType: String?
        public init(table: String, missing: String? = nil, signature: String? = nil, expired: String? = nil,
                    contentType: String? = nil, mediaType: String? = nil) {
            self.table = table
            self.missing = missing
            self.signature = signature
            self.expired = expired
            self.contentType = contentType
            self.mediaType = mediaType
        }
    }

    /// Records an operation answers with: a fixture record as the template, placed at `list`.
    public struct OperationData: Sendable, Equatable {
        public var operation: String
        /// Relative to the plugin's folder: a record, or a response whose `list` holds records.
        public var fixture: String
        /// Where the records go in the answer (`data.list`); nil for a single object at `data`.
        public var list: String?
        public init(operation: String, fixture: String, list: String?) {
            self.operation = operation
            self.fixture = fixture
            self.list = list
        }
    }

    public var errors: [ErrorCodes] = []
    public var operations: [OperationData] = []
    /// The vendor signs its responses with the request recipe.
    public var signsResponses = false
    public init() {}
}

/// A value the sign function reads from `req.pin`, as the plugin declares it.
public struct PinSpec: Sendable, Equatable {
    public enum Unit: String, Sendable, CaseIterable { case seconds = "s", milliseconds = "ms" }

    public var name: String
    public var doc: String?
    /// For a timestamp: the unit the vendor expects (the diagnosis tries the other one).
    public var unit: Unit?
    /// The values the vendor accepts (the diagnosis tries each other one).
    public var values: [String] = []
    /// The value the recipe uses when none is given.
    public var defaultValue: String?
    /// What the value is called in a diagnosis ("digest").
    public var label: String?
    /// Where the sender states the value ("the algorithm header").
    public var statedIn: String?

    public init(name: String, doc: String? = nil, unit: Unit? = nil, values: [String] = [], defaultValue: String? = nil,
                label: String? = nil, statedIn: String? = nil) {
        self.name = name
        self.doc = doc
        self.unit = unit
        self.values = values
        self.defaultValue = defaultValue
        self.label = label
        self.statedIn = statedIn
    }
}

public struct Region: Sendable, Equatable {
    public var code: String
    public var name: String
    public var baseURL: String
    public var note: String?

    public init(code: String, name: String, baseURL: String, note: String? = nil) {
        self.code = code
        self.name = name
        self.baseURL = baseURL
        self.note = note
    }
}

public struct Credential: Sendable, Equatable {
    public var name: String
    public var secret: Bool
    /// What the vendor's console calls it.
    public var vendorName: String?
    /// Signing works without it (an STS token, say): never prompted for, never required.
    public var optional: Bool = false

    public init(name: String, secret: Bool, vendorName: String? = nil, optional: Bool = false) {
        self.name = name
        self.secret = secret
        self.vendorName = vendorName
        self.optional = optional
    }
}

public struct CodeEntry: Sendable, Equatable {
    /// The code as text ("17", "NORMAL_CLEARING", "-16").
    public var code: String
    public var meaning: String
    public var hint: String?
    public var doc: String?
    public var aliases: [String]
    /// Extra facts (e.g. the SIP code a hang-up cause maps to).
    public var attributes: CodeAttributes
}

public struct CodeTable: Sendable, Equatable {
    public var name: String
    public var title: String
    public var doc: String?
    /// Which family of endpoints uses it, when a vendor numbers codes differently per family.
    public var family: String?
    /// The number of values the source lists (checked by `plugins test`).
    public var expectedCount: Int?
    public var entries: [CodeEntry]
    /// Short names users type for the table (`sip`, `hangup`), across adapters.
    public var aliases: [String] = []

    /// The entry whose code or alias equals `code` (case-insensitive for names).
    /// The value is lowercased once, and only when it is short enough to be a name at all.
    public func entry(_ code: String) -> CodeEntry? {
        if let exact = entries.first(where: { $0.code == code }) { return exact }
        guard code.utf8.count <= 256 else { return nil }
        let lowered = code.lowercased()
        return entries.first { $0.code.lowercased() == lowered || $0.aliases.contains { $0.lowercased() == lowered } }
    }
}

public struct FieldSpec: Sendable, Equatable {
    /// Dotted path; `[]` marks array elements (`callDetailList[].role`).
    public var path: String
    /// string, integer, number, boolean, object, array, any.
    public var type: String
    /// epoch-s, epoch-ms, datetime-local, seconds, milliseconds, …
    public var unit: String?
    /// Time zone assumed for local datetimes ("+08:00"), with why.
    public var zone: String?
    public var meaning: String
    /// Name of the code table its values come from.
    public var table: String?
    public var required: Bool
}

public struct PayloadSchema: Sendable, Equatable {
    public var kind: String
    public var title: String
    /// Field paths whose presence identifies this payload.
    public var fingerprint: [String]
    public var fields: [FieldSpec]
    /// The payload comes as a JSON array of records.
    public var isArray: Bool
    public var transcript: TranscriptSpec?
    public var timeline: TimelineSpec?
    public var summary: SummarySpec?
}

/// Where a payload keeps its dialogue: an array of turns with text, speaker and offset fields.
public struct TranscriptSpec: Sendable, Equatable {
    /// Path of the array (may contain `[]`: `callInfoDetailList[].recordDetail`).
    public var path: String
    public var text: String
    public var speaker: String?
    public var offset: String?
}

/// Which fields mark the moments of a call, for the one-line timeline picture and timing checks.
public struct TimelineSpec: Sendable, Equatable {
    /// The array holding one call per element (`callInfoDetailList`), or nil for the record itself.
    public var each: String?
    public var originate: String?
    public var ring: String?
    public var answer: String?
    public var end: String?
    /// A duration field that should equal end - answer.
    public var elapsed: String?
}

/// Which fields a batch summary counts: the result, the duration, and what counts as answered.
public struct SummarySpec: Sendable, Equatable {
    public var result: String
    public var duration: String?
    /// A field that is set (non-zero, non-empty) when the call was answered, or whose value is in `answeredValues`.
    public var answered: String?
    public var answeredValues: [String]
}

public struct Paging: Sendable, Equatable {
    public var pageField: String
    public var sizeField: String
    public var maxSize: Int?
    public var totalField: String?
}

public struct ResponseEnvelope: Sendable, Equatable {
    public var codeField: String
    public var messageField: String?
    public var dataField: String?
    /// The code value meaning success, as text ("0").
    public var success: String
    /// The code table that explains the codes (a vendor's error table).
    public var table: String?
}

public struct Operation: Sendable, Equatable {
    public var name: String
    public var method: String
    public var path: String
    public var summary: String
    public var body: [FieldSpec]
    public var paging: Paging?
    public var response: ResponseEnvelope?
    public var limits: [String]
    public var doc: String?
    /// The endpoint family, for vendors whose code tables differ by family (matches CodeTable.family).
    public var family: String?
}

public struct Webhook: Sendable, Equatable {
    public var kind: String
    public var payload: String?
    /// What the receiver must answer; "not documented" when the sources say nothing.
    public var acknowledgement: String
    public var retry: String
    public var signing: String
    /// Whether the vendor signs these pushes with its request recipe.
    public var signed: Signed = .no
    /// The acknowledgement as a check: HTTP 200 and the JSON value at `path` equal to `equals`
    /// (or, with `equals` nil, a number); nil when not documented.
    public var ackCheck: AckCheck?
    /// Seconds after the first failure at which the vendor tries again; empty when not documented.
    public var retrySchedule: [Int] = []
    /// The content type of the push.
    public var contentType = "application/json"

    public enum Signed: String, Sendable { case yes, optional, no }

    public struct AckCheck: Sendable, Equatable {
        public var status: Int
        public var path: String?
        public var equals: String?
        public init(status: Int = 200, path: String? = nil, equals: String? = nil) {
            self.status = status
            self.path = path
            self.equals = equals
        }
    }
}

/// A named way a sender gets a signature wrong, used to diagnose a mismatch: re-signing with these
/// pins (which the adapter's sign function understands) and/or this body transform reproduces it.
public struct Pitfall: Sendable, Equatable {
    public var name: String
    public var explanation: String
    public var pins: [String: String] = [:]
    /// How the sender changed the body before signing it.
    public var body: BodyTransform?

    public init(name: String, explanation: String, pins: [String: String] = [:], body: BodyTransform? = nil) {
        self.name = name
        self.explanation = explanation
        self.pins = pins
        self.body = body
    }
}

public struct SignExample: Sendable, Equatable {
    public var name: String
    public var operation: String?
    public var method: String?
    public var path: String?
    public var query: [String: String]
    public var credentials: [String: String]
    public var pins: [String: String]
    public var body: String?
    /// Expected header/parameter values (and `signature`).
    public var expect: [String: String]
    /// verified (published by the vendor) or derived (computed from the recipe).
    public var provenance: String
}

public struct ExplainExample: Sendable, Equatable {
    public var table: String
    public var code: String
    /// Text the meaning must contain.
    public var contains: String
}

/// A fixture of the plugin and what decoding it must give.
public struct DecodeExample: Sendable, Equatable {
    public var name: String
    /// Relative to the plugin's folder.
    public var fixture: String
    /// The payload kind every record must be detected as.
    public var kind: String
    /// The number of records, when given.
    public var records: Int?
    /// Field path (of the first record) → text its meaning must contain.
    public var fields: [String: String]
    /// The warning codes the records must carry, all of them and no other.
    public var warnings: [String]

    public init(name: String, fixture: String, kind: String, records: Int? = nil, fields: [String: String] = [:], warnings: [String] = []) {
        self.name = name
        self.fixture = fixture
        self.kind = kind
        self.records = records
        self.fields = fields
        self.warnings = warnings
    }
}

public struct Examples: Sendable, Equatable {
    public var sign: [SignExample] = []
    public var explain: [ExplainExample] = []
    public var decode: [DecodeExample] = []
    public init(sign: [SignExample] = [], explain: [ExplainExample] = [], decode: [DecodeExample] = []) {
        self.sign = sign
        self.explain = explain
        self.decode = decode
    }
}

/// The outcome of one example a plugin carries.
public struct ExampleResult: Equatable, Sendable {
    public var plugin: String
    /// sign, explain, decode, table-size
    public var kind: String
    public var name: String
    public var passed: Bool
    public var detail: String

    public init(plugin: String, kind: String, name: String, passed: Bool, detail: String) {
        self.plugin = plugin
        self.kind = kind
        self.name = name
        self.passed = passed
        self.detail = detail
    }
}
