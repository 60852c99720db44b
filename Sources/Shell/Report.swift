import JSONText

/// Text styles the human renderer knows; the JSON renderer ignores them.
public enum Style: Sendable, Equatable {
    case plain, bold, dim, red, green, yellow, cyan, magenta
}

/// A run of text in one style.
public struct Span: Sendable, Equatable {
    public var text: String
    public var style: Style
    public init(_ text: String, _ style: Style = .plain) {
        self.text = text
        self.style = style
    }
}

/// A table: headers, rows of cells, which columns are right-aligned.
public struct Table: Sendable, Equatable {
    public var headers: [String]
    public var rows: [[Span]]
    public var rightAligned: Set<Int>

    public init(headers: [String], rows: [[Span]], rightAligned: Set<Int> = []) {
        self.headers = headers
        self.rows = rows
        self.rightAligned = rightAligned
    }
}

/// The human-readable form of a result, rendered by `HumanRenderer`.
public enum Block: Sendable, Equatable {
    case line([Span])
    case heading(String)
    case table(Table)
    /// Aligned `name  value` rows.
    case pairs([(String, [Span])])
    /// Indented text (help bodies, examples).
    case indented([String])
    case blank

    public static func text(_ s: String, _ style: Style = .plain) -> Block { .line([Span(s, style)]) }

    public static func == (a: Block, b: Block) -> Bool {
        switch (a, b) {
        case (.line(let x), .line(let y)): return x == y
        case (.heading(let x), .heading(let y)): return x == y
        case (.table(let x), .table(let y)): return x == y
        case (.pairs(let x), .pairs(let y)): return x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
        case (.indented(let x), .indented(let y)): return x == y
        case (.blank, .blank): return true
        default: return false
        }
    }
}

/// What a command produced: one JSON document and its human rendering.
public struct Report: Sendable, Equatable {
    public var json: JSONValue
    public var blocks: [Block]

    public init(json: JSONValue, blocks: [Block]) {
        self.json = json
        self.blocks = blocks
    }
}
