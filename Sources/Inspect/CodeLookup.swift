import Adapters
import TextSupport

/// One code found in a table.
public struct CodeMatch: Equatable, Sendable {
    public var vendor: String
    public var table: CodeTable
    public var entry: CodeEntry
    /// How it matched: code, alias, or text.
    public var via: String
}

/// What `explain` was asked, after the vendor and table words were recognised.
public struct ExplainQuery: Equatable, Sendable {
    public var vendor: String?
    public var table: String?
    public var terms: [String]

    public init(vendor: String? = nil, table: String? = nil, terms: [String]) {
        self.vendor = vendor
        self.table = table
        self.terms = terms
    }
}

/// Looks codes up across adapters: exact codes and names first, then words in the meanings.
public enum CodeLookup {
    /// The adapter and table a table alias (a plugin's `aliases`) names.
    static func aliasedTable(_ word: String, in adapters: [Adapter]) -> (String, String)? {
        let word = word.lowercased()
        for adapter in adapters {
            if let table = adapter.codeTables.first(where: { $0.aliases.contains { $0.lowercased() == word } }) { return (adapter.id, table.name) }
        }
        return nil
    }

    /// Splits `words` into an optional vendor, an optional table and the rest. The vendor defaults to
    /// `defaultVendor` only when a table of that vendor is named.
    public static func parse(_ words: [String], adapters: [Adapter], defaultVendor: String?) -> ExplainQuery {
        var rest = words[...]
        var query = ExplainQuery(terms: [])
        if let first = rest.first, let named = adapters.named(first) {
            query.vendor = named.id
            rest = rest.dropFirst()
        }
        if rest.count >= 2, let word = rest.first {
            if let (vendor, table) = aliasedTable(word, in: adapters), query.vendor == nil || query.vendor == vendor {
                query.vendor = vendor
                query.table = table
                rest = rest.dropFirst()
            } else {
                let scope = adapters.filter { query.vendor == nil || $0.id == query.vendor }
                let preferred = scope.first { $0.id == defaultVendor && $0.table(named: word) != nil }
                if let owner = preferred ?? scope.first(where: { $0.table(named: word) != nil }) {
                    if query.vendor == nil, scope.filter({ $0.table(named: word) != nil }).count == 1 || preferred != nil {
                        query.vendor = owner.id
                    }
                    query.table = owner.table(named: word)?.name ?? word
                    rest = rest.dropFirst()
                }
            }
        }
        query.terms = Array(rest)
        return query
    }

    /// Exact matches on code or alias; when there are none, entries whose meaning (or name)
    /// contains every term.
    public static func find(_ query: ExplainQuery, in adapters: [Adapter]) -> [CodeMatch] {
        let tables = scope(query, adapters)
        let needle = query.terms.joining(" ")
        // "017" finds code "17".
        let number = Int(needle).map { String($0) }
        // "NORMAL_clearing" or "no_answer" name a code; a plain lower-case word ("busy") is text to search.
        let codeLike = needle.contains { $0.isUppercase || $0 == "_" }
        let lowered = needle.lowercased()
        var exact: [CodeMatch] = []
        for (vendor, table) in tables {
            for entry in table.entries {
                if entry.code == needle || number == entry.code {
                    exact.append(CodeMatch(vendor: vendor, table: table, entry: entry, via: "code"))
                } else if !needle.isEmpty, entry.aliases.contains(needle)
                            || (codeLike && (entry.code.lowercased() == lowered
                                || entry.aliases.contains(where: { $0.lowercased() == lowered }))) {
                    exact.append(CodeMatch(vendor: vendor, table: table, entry: entry, via: "name"))
                }
            }
        }
        if !exact.isEmpty || needle.isEmpty { return needle.isEmpty ? [] : exact }
        // A number that is no code is "not found", not a substring of longer codes.
        guard needle.contains(where: \.isLetter) else { return [] }
        let words = query.terms.map { $0.lowercased() }
        var text: [CodeMatch] = []
        for (vendor, table) in tables {
            for entry in table.entries {
                let haystack = ([entry.meaning, entry.code] + entry.aliases).joining(" ").lowercased()
                if words.allSatisfy({ haystack.contains($0) }) {
                    text.append(CodeMatch(vendor: vendor, table: table, entry: entry, via: "text"))
                }
            }
        }
        return text
    }

    /// The nearest codes and names to a query that found nothing.
    public static func nearest(_ query: ExplainQuery, in adapters: [Adapter], limit: Int = 5) -> [CodeMatch] {
        let needle = query.terms.joining(" ").lowercased()
        guard !needle.isEmpty, needle.count <= EditDistance.longestWord else { return [] }
        var scored: [(Int, CodeMatch)] = []
        for (vendor, table) in scope(query, adapters) {
            for entry in table.entries {
                let names = [entry.code.lowercased()] + entry.aliases.map { $0.lowercased() }
                let distance = names.map { EditDistance.between(needle, $0) }.min() ?? Int.max
                let numericGap: Int
                if let a = Int(needle), let b = Int(entry.code) { numericGap = abs(a - b) <= 2 ? 1 : Int.max } else { numericGap = Int.max }
                let score = min(distance, numericGap)
                if score <= max(2, needle.count / 3) {
                    scored.append((score, CodeMatch(vendor: vendor, table: table, entry: entry, via: "near")))
                }
            }
        }
        return scored.sorted { $0.0 < $1.0 }.prefix(limit).map(\.1)
    }

    static func scope(_ query: ExplainQuery, _ adapters: [Adapter]) -> [(String, CodeTable)] {
        adapters.filter { query.vendor == nil || $0.id == query.vendor }.flatMap { adapter in
            adapter.codeTables.filter { query.table == nil || $0.name == query.table }.map { (adapter.id, $0) }
        }
    }
}
