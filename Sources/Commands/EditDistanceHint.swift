import TextSupport

/// "did you mean 'x'?" for a mistyped name, or nil when nothing is close.
enum EditDistanceHint {
    static func suggestion(for word: String, among names: [String]) -> String? {
        EditDistance.suggestions(for: word, among: names, limit: 1).first.map { "did you mean '\($0)'?" }
    }
}
