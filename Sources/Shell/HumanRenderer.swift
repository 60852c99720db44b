import TextSupport
/// Renders `Block`s as terminal text, with ANSI colour when enabled.
public struct HumanRenderer {
    public var color: Bool
    /// Terminal width used to cut over-long table cells.
    public var width: Int

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

    func paint(_ spans: [Span]) -> String { spans.map(paint).joined() }

    func render(_ block: Block) -> String {
        switch block {
        case .line(let spans): return paint(spans) + "\n"
        case .heading(let title): return paint(Span(title, .bold)) + "\n"
        case .blank: return "\n"
        case .indented(let lines): return lines.map { "  " + ControlCharacters.escaped($0) + "\n" }.joined()
        case .pairs(let rows):
            let keyWidth = rows.map { TextWidth.of($0.0) }.max() ?? 0
            return rows.map { "  " + paint(Span(TextWidth.pad($0.0, to: keyWidth), .cyan)) + "  " + paint($0.1) + "\n" }
                .joined()
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
        // Give the last column whatever width is left, so long meanings wrap less often.
        let fixed = widths.dropLast().reduce(0, +) + 2 * (columns - 1) + 2
        if columns > 0, fixed + widths[columns - 1] > width { widths[columns - 1] = max(12, width - fixed) }
        func line(_ cells: [Span], header: Bool) -> String {
            var parts: [String] = []
            for i in 0..<columns {
                let span = i < cells.count ? cells[i] : Span("")
                let text = TextWidth.truncate(span.text, to: widths[i])
                let padded: String
                if table.rightAligned.contains(i) {
                    padded = String(repeating: " ", count: max(0, widths[i] - TextWidth.of(text))) + text
                } else {
                    padded = i == columns - 1 ? text : TextWidth.pad(text, to: widths[i])
                }
                parts.append(paint(Span(padded, header ? .bold : span.style)))
            }
            return "  " + parts.joined(separator: "  ") + "\n"
        }
        var out = ""
        if !table.headers.isEmpty { out += line(table.headers.map { Span($0) }, header: true) }
        for row in table.rows { out += line(row, header: false) }
        return out
    }
}
