import FoundationEssentials
import Glibc

/// What completion sees: the words before the cursor and the partial word under it.
public struct CompletionRequest {
    /// Complete words before the one being completed (the command word first).
    public var words: [String]
    /// The partial word under the cursor (after quote removal).
    public var partial: String
    public let session: Session?

    public init(words: [String], partial: String, session: Session?) {
        self.words = words
        self.partial = partial
        self.session = session
    }
}

/// Candidates for the word under the cursor, and how many characters of the line they replace.
public struct CompletionResult: Equatable {
    /// Full replacements for the partial word, sorted.
    public var candidates: [String]
    /// Length (in Unicode scalars) of the partial word in the line, which a candidate replaces.
    public var replaceLength: Int
    /// Whether a unique candidate should be followed by a space (false for directories).
    public var appendSpace: Bool
    /// What a candidate is, shown beside it when candidates are listed (a code's meaning).
    public var descriptions: [String: String] = [:]

    /// The longest prefix shared by all candidates.
    public var commonPrefix: String {
        guard var prefix = candidates.first else { return "" }
        for c in candidates.dropFirst() {
            while !c.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }
}

/// Completion as a pure function of the text before the cursor; the line editor only displays it.
public enum Completer {
    /// Numbers in numeric order (2 before 10, -16 before 0), before words; words alphabetically.
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        switch (Int(a), Int(b)) {
        case let (x?, y?): return x < y
        case (_?, nil): return true
        case (nil, _?): return false
        default: return a < b
        }
    }

    public static func complete(_ textBeforeCursor: String, session: Session?, registry: CommandRegistry,
                                fileSystem: FileLister = .live) -> CompletionResult {
        let (words, partial, partialLength) = splitWords(textBeforeCursor)
        let request = CompletionRequest(words: words, partial: partial, session: session)
        var candidates: [String]
        var appendSpace = true
        var descriptions: [String: String] = [:]
        if words.isEmpty {
            candidates = registry.allNames.filter { $0.hasPrefix(partial) }
        } else if partial.hasPrefix("@") {
            let files = fileSystem.complete(String(partial.dropFirst()))
            candidates = files.map { "@" + $0 }
            appendSpace = !(candidates.count == 1 && candidates[0].hasSuffix("/"))
        } else if case .found(let spec) = registry.resolve(words[0]) {
            (candidates, appendSpace, descriptions) = completeArgument(spec: spec, request: request, fileSystem: fileSystem)
        } else {
            candidates = []
        }
        for hook in session?.completionHooks ?? [] {
            candidates += hook(request).filter { $0.hasPrefix(partial) }
        }
        var seen = Set<String>()
        candidates = candidates.filter { seen.insert($0).inserted }.sorted(by: Completer.naturalOrder)
        return CompletionResult(candidates: candidates, replaceLength: partialLength, appendSpace: appendSpace, descriptions: descriptions)
    }

    static func completeArgument(spec: CommandSpec, request: CompletionRequest, fileSystem: FileLister)
        -> ([String], Bool, [String: String]) {
        let partial = request.partial
        let args = Array(request.words.dropFirst())
        if partial.hasPrefix("-") {
            let used = Set(args.filter { $0.hasPrefix("--") }.map { String($0.dropFirst(2).prefix { $0 != "=" }) })
            let names = spec.allFlags.filter { $0.repeatable || !used.contains($0.name) }.map { "--" + $0.name }
            return (names.filter { $0.hasPrefix(partial) }, true, [:])
        }
        if let last = args.last, last.hasPrefix("--"), let flag = spec.flag(named: String(last.dropFirst(2))),
           flag.takesValue {
            return candidates(from: flag.completion, request: request, fileSystem: fileSystem)
        }
        // Count positionals before the cursor, skipping flags and their values.
        var index = 0
        var i = 0
        while i < args.count {
            let word = args[i]
            if word.hasPrefix("--"), let flag = spec.flag(named: String(word.dropFirst(2))) {
                if flag.takesValue { i += 1 }
            } else if !word.hasPrefix("-") || word == "-" {
                index += 1
            }
            i += 1
        }
        guard !spec.arguments.isEmpty else { return ([], true, [:]) }
        let arg = index < spec.arguments.count ? spec.arguments[index]
            : (spec.arguments.last!.variadic ? spec.arguments.last! : nil)
        guard let arg else { return ([], true, [:]) }
        return candidates(from: arg.completion, request: request, fileSystem: fileSystem)
    }

    static func candidates(from source: CompletionSource, request: CompletionRequest, fileSystem: FileLister)
        -> ([String], Bool, [String: String]) {
        switch source {
        case .none: return ([], true, [:])
        case .words(let words): return (words.filter { $0.hasPrefix(request.partial) }, true, [:])
        case .dynamic(let f): return (f(request).filter { $0.hasPrefix(request.partial) }, true, [:])
        case .described(let f):
            let items = f(request).filter { $0.word.hasPrefix(request.partial) }
            var descriptions: [String: String] = [:]
            for item in items where descriptions[item.word] == nil && !item.description.isEmpty { descriptions[item.word] = item.description }
            return (items.map(\.word), true, descriptions)
        case .files:
            let files = fileSystem.complete(request.partial)
            return (files, !(files.count == 1 && files[0].hasSuffix("/")), [:])
        }
    }

    /// Splits the text before the cursor into complete words and the partial last word,
    /// tolerating an unterminated quote in the partial word.
    static func splitWords(_ text: String) -> (words: [String], partial: String, partialLength: Int) {
        var words: [String] = []
        var current = ""
        var currentLength = 0
        var inWord = false
        var quote: Character?
        var escaping = false
        for ch in text {
            if escaping {
                current.append(ch); currentLength += ch.unicodeScalars.count; escaping = false; continue
            }
            if let q = quote {
                currentLength += ch.unicodeScalars.count
                if ch == q { quote = nil } else { current.append(ch) }
                continue
            }
            switch ch {
            case " ", "\t", "\n":
                if inWord { words.append(current) }
                current = ""; currentLength = 0; inWord = false
            case "'", "\"":
                quote = ch; inWord = true; currentLength += 1
            case "\\":
                escaping = true; inWord = true; currentLength += 1
            default:
                current.append(ch); inWord = true; currentLength += ch.unicodeScalars.count
            }
        }
        return (words, current, currentLength)
    }
}

/// Lists paths for completion; injectable so completion stays testable without a disk.
public struct FileLister {
    public var list: (String) -> [String]

    public init(list: @escaping (String) -> [String]) { self.list = list }

    /// Completions of a partial path: entries of its directory starting with its last component;
    /// directories end in `/`.
    public func complete(_ partial: String) -> [String] { list(partial) }

    public static var live: FileLister { FileLister { partial in
        let expanded = partial.hasPrefix("~/") ? (ProcessInfo.processInfo.environment["HOME"] ?? "") + partial.dropFirst(1) : partial
        let slash = expanded.lastIndex(of: "/")
        let dir = slash.map { String(expanded[...$0]) } ?? ""
        let stem = slash.map { String(expanded[expanded.index(after: $0)...]) } ?? expanded
        let shownDir = partial.lastIndex(of: "/").map { String(partial[...$0]) } ?? ""
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir) else { return [] }
        return names.filter { $0.hasPrefix(stem) && (stem.hasPrefix(".") || !$0.hasPrefix(".")) }.sorted().map { name in
            var info = stat()
            let isDirectory = stat(dir + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
            return shownDir + name + (isDirectory ? "/" : "")
        }
    } }
}
