import TextSupport
/// Renders `Block`s as terminal text, with ANSI colour when enabled.
public struct HumanRenderer {
    public var color: Bool
    /// Terminal width: the last column of a table wraps within it.
    public var width: Int
    /// No column is padded wider than this: a cell longer than that is printed whole and pushes
    /// its own row out of line, so the output stays linear in the input.
    public static let columnCap = 40

    public init(color: Bool, width: Int = 100) {
        self.color = color
        self.width = width
    }

    public func render(_ blocks: [Block]) -> String {
        var out = ""
        for block in blocks { out += render(block) }
        return out
    }

    /// Every piece of text goes out through here: control characters escaped, then coloured.
    public func paint(_ span: Span) -> String {
        let text = ControlCharacters.escaped(span.text)
        guard color, span.style != .plain, !text.isEmpty else { return text }
        let code: String
        switch span.style {
        case .plain: return span.text
        case .bold: code = "1"
        case .dim: code = "2"
        case .red: code = "31"
        case .green: code = "32"
        case .yellow: code = "33"
        case .cyan: code = "36"
        case .magenta: code = "35"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    func paint(_ spans: [Span]) -> String { spans.map(paint).joining() }

    func render(_ block: Block) -> String {
        switch block {
        case .line(let spans): return paint(spans) + "\n"
        case .heading(let title): return paint(Span(title, .bold)) + "\n"
        case .blank: return "\n"
        case .indented(let lines): return lines.map { "  " + ControlCharacters.escaped($0) + "\n" }.joining()
        case .pairs(let rows):
            let keyWidth = min(HumanRenderer.columnCap, rows.map { TextWidth.of($0.0) }.max() ?? 0)
            return rows.map { "  " + paint(Span(TextWidth.pad($0.0, to: keyWidth), .cyan)) + "  " + paint($0.1) + "\n" }
                .joining()
        case .table(let table): return renderTable(table)
        }
    }

    func renderTable(_ table: Table) -> String {
        let columns = max(table.headers.count, table.rows.map(\.count).max() ?? 0)
        var widths = [Int](repeating: 0, count: columns)
        for (i, h) in table.headers.enumerated() { widths[i] = TextWidth.of(h) }
        for row in table.rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], TextWidth.of(cell.text)) }
        }
        // Columns before the last are capped so that the last one keeps a third of the width.
        let natural = widths
        var cap = HumanRenderer.columnCap
        func indent(_ w: [Int]) -> Int { w.dropLast().reduce(0, +) + 2 * (columns - 1) + 2 }
        repeat {
            for i in 0..<max(0, columns - 1) { widths[i] = min(natural[i], cap) }
            cap -= 1
        } while cap >= 12 && indent(widths) + max(24, width / 3) > width
        // The last column wraps in whatever width is left, under its own column; when a cell before
        // it is wider than its column, the last column starts on the next line.
        let lastIndent = indent(widths)
        let lastWidth = max(12, width - lastIndent)
        func line(_ cells: [Span], header: Bool) -> String {
            var parts: [String] = []
            var continuation: [String] = []
            var overflow = false
            for i in 0..<columns {
                let span = i < cells.count ? cells[i] : Span("")
                let style = header ? Style.bold : span.style
                if i == columns - 1, !table.rightAligned.contains(i) {
                    let wrapped = TextWidth.wrap(span.text, to: lastWidth).map { paint(Span($0, style)) }
                    let pad = String(repeating: " ", count: lastIndent)
                    if overflow, !span.text.isEmpty {
                        continuation = wrapped.map { pad + $0 }
                    } else {
                        parts.append(wrapped[0])
                        continuation = wrapped.dropFirst().map { pad + $0 }
                    }
                    continue
                }
                let text = span.text
                let cellWidth = TextWidth.of(text)
                if i < columns - 1, cellWidth > widths[i] { overflow = true }
                let padded: String
                if table.rightAligned.contains(i) {
                    padded = String(repeating: " ", count: max(0, widths[i] - cellWidth)) + text
                } else {
                    padded = i == columns - 1 ? text : TextWidth.pad(text, to: widths[i])
                }
                parts.append(paint(Span(padded, style)))
            }
            // No trailing blanks: a short or empty last cell leaves nothing after it.
            let first = ("  " + parts.joining("  ")).trimmingTrailingBlanks()
            return ([first] + continuation).map { $0 + "\n" }.joining()
        }
        var out = ""
        if !table.headers.isEmpty { out += line(table.headers.map { Span($0) }, header: true) }
        for row in table.rows { out += line(row, header: false) }
        return out
    }
}
