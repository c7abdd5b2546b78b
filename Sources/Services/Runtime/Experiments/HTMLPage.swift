import Observability
/// A self-contained HTML page: headings, paragraphs, tables and inline SVG charts, no script
/// and no external file.
public struct HTMLPage: Sendable {
    public var title: String
    private var body = ""

    public init(title: String) {
        self.title = title
    }

    public mutating func heading(_ text: String) {
        body += "<h2>\(Self.escape(text))</h2>\n"
    }

    public mutating func paragraph(_ text: String) {
        body += "<p>\(Self.escape(text))</p>\n"
    }

    public mutating func table(_ header: [String], _ rows: [[String]]) {
        body += "<table><tr>" + header.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr>\n"
        for row in rows { body += "<tr>" + row.map { "<td>\(Self.escape($0))</td>" }.joined() + "</tr>\n" }
        body += "</table>\n"
    }

    public mutating func chart(_ chart: SVGChart) {
        body += "<div class=\"chart\">" + chart.render() + "</div>\n"
    }

    public func render() -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(Self.escape(title))</title>
        <style>
        body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1500px; }
        h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; }
        table { border-collapse: collapse; margin: 8px 0; } td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
        th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; white-space: nowrap; } .chart { display: inline-block; margin: 6px; }
        </style></head><body>
        <h1>\(Self.escape(title))</h1>
        \(body)</body></html>

        """
    }

    public static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
