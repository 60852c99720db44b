import JSONText

/// `r.records[0].callId`: a result's name, then members (`.name`) and list indexes (`[0]`).
public struct ValuePath: Equatable, Sendable {
    public enum Step: Equatable, Sendable {
        case member(String)
        case index(Int)
    }

    public var base: String
    public var steps: [Step]
    /// False when the text is not a path (the steps could not be read): no result is looked up.
    public var valid: Bool

    public var isPlain: Bool { steps.isEmpty && valid }

    public init(_ text: String) {
        var base = ""
        var steps: [Step] = []
        var valid = true
        var i = text.startIndex
        while i < text.endIndex, text[i] != ".", text[i] != "[" { base.append(text[i]); i = text.index(after: i) }
        while i < text.endIndex, valid {
            if text[i] == "." {
                i = text.index(after: i)
                var name = ""
                while i < text.endIndex, text[i] != ".", text[i] != "[" { name.append(text[i]); i = text.index(after: i) }
                if name.isEmpty { valid = false } else { steps.append(.member(name)) }
            } else {
                i = text.index(after: i)
                var digits = ""
                while i < text.endIndex, text[i] != "]" { digits.append(text[i]); i = text.index(after: i) }
                guard i < text.endIndex, let n = Int(digits) else { valid = false; break }
                steps.append(.index(n))
                i = text.index(after: i)
            }
        }
        self.base = base
        self.steps = steps
        self.valid = valid
    }

    /// The value the path leads to; nil when a step does not exist. A negative index counts from
    /// the end (`[-1]` is the last record).
    public func resolve(in root: JSONValue) -> JSONValue? {
        guard valid else { return nil }
        var value = root
        for step in steps {
            switch (step, value) {
            case (.member(let name), .object(let members)):
                guard let found = members.last(where: { $0.key == name })?.value else { return nil }
                value = found
            case (.index(let n), .array(let items)):
                let at = n < 0 ? items.count + n : n
                guard items.indices.contains(at) else { return nil }
                value = items[at]
            case (.member("length"), .array(let items)):
                value = .int(Int64(items.count))
            default:
                return nil
            }
        }
        return value
    }
}

extension JSONValue {
    /// As a word: strings as they are, everything else as compact JSON.
    public var text: String {
        if case .string(let s) = self { return s }
        return JSONWriter.compact(self)
    }
}
