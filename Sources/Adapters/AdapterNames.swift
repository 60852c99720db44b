extension Array where Element == Adapter {
    /// The adapter a typed name means: its id (any case), one of the names the plugin declares
    /// (`aliases`), a unique prefix of an id (`alibaba`, `itnio`), or a unique part of a
    /// hyphenated id (`callbot`). Nil when nothing, or more than one adapter, fits.
    public func named(_ word: String) -> Adapter? {
        let typed = word.lowercased()
        guard !typed.isEmpty else { return nil }
        if let exact = first(where: { $0.id.lowercased() == typed }) { return exact }
        if let aliased = first(where: { $0.aliases.contains { $0.lowercased() == typed } }) { return aliased }
        let prefixed = filter { $0.id.lowercased().hasPrefix(typed) }
        if prefixed.count == 1 { return prefixed[0] }
        guard prefixed.isEmpty else { return nil }
        let parts = filter { $0.id.lowercased().split(separator: "-").contains { $0 == typed } }
        return parts.count == 1 ? parts[0] : nil
    }
}
