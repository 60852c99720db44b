/// Damerau–Levenshtein (optimal string alignment) distance, for "did you mean" suggestions.
public enum EditDistance {
    public static func between(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased()), y = Array(b.lowercased())
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[x.count][y.count]
    }

    /// Words longer than this get no suggestions: nothing a user types by name is that long, and
    /// the distance costs length × length.
    public static let longestWord = 64

    /// Candidates within a distance that scales with the word's length, nearest first. Candidates
    /// whose length alone puts them out of reach are skipped without computing a distance.
    public static func suggestions(for word: String, among candidates: [String], limit: Int = 3) -> [String] {
        let length = word.utf8.count <= longestWord * 4 ? word.count : .max
        guard length <= longestWord else { return [] }
        let threshold = max(1, min(3, length / 3 + 1))
        let scored: [(name: String, distance: Int)] = candidates.compactMap { candidate in
            abs(candidate.count - length) > threshold ? nil : (candidate, between(word, candidate))
        }
        let near = scored.filter { $0.distance <= threshold }
        let sorted = near.sorted { a, b in a.distance != b.distance ? a.distance < b.distance : a.name < b.name }
        return sorted.prefix(limit).map { $0.name }
    }
}
