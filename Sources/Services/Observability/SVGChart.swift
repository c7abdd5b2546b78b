#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Self-contained SVG charts (no script, no external file): lines and bars with axes, ticks,
/// labels and a legend, for the reports in `data_collected/`.
public struct SVGChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    public enum Kind: Sendable { case line, bars, steps }

    /// A labelled reference line across the plot: a vertical one at an x value (a chosen
    /// setting, such as the suggested threshold) or a horizontal one at a y value (a budget or a
    /// target). The axes always stretch to show it.
    public struct Rule: Sendable, Equatable {
        public enum Axis: Sendable { case x, y }
        public var axis: Axis
        public var value: Double
        public var label: String
        public init(axis: Axis, value: Double, label: String) {
            self.axis = axis
            self.value = value
            self.label = label
        }
        public static func vertical(at x: Double, _ label: String) -> Rule { Rule(axis: .x, value: x, label: label) }
        public static func horizontal(at y: Double, _ label: String) -> Rule { Rule(axis: .y, value: y, label: label) }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var kind: Kind = .line
    public var width = 720.0
    public var height = 360.0
    /// The lowest value the y axis starts from (0 by default); the axis goes lower when a value
    /// does, so nothing is drawn under the plot. nil: fitted to the data.
    public var yMinimum: Double? = 0
    /// The lowest value the x axis starts from (nil, the default: fitted to the data); a latency
    /// axis starts at 0 so that its origin is labelled.
    public var xMinimum: Double?
    /// A log x axis, ticked at the data's own x values (cache sizes 256 and 1,024 get the ticks
    /// 256 and 1,024) when there are few enough of them to label.
    public var logX = false
    /// Reference lines drawn over the data, each with its label.
    public var rules: [Rule] = []
    /// Axes that count things (attempts, instances, strategies): ticks at whole numbers only.
    public var integerX = false
    public var integerY = false

    /// Okabe and Ito's colour-blind-safe palette (its yellow, too pale on white, left out); each
    /// series also gets its own marker shape, so no series is told apart by colour alone.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#888888"]

    enum Marker: CaseIterable { case circle, square, triangle, diamond, invertedTriangle, cross }

    static func marker(_ index: Int) -> Marker { Marker.allCases[index % Marker.allCases.count] }

    /// A marker of `shape` centred on (x, y), filled with `color`.
    func markerSVG(_ shape: Marker, x: Double, y: Double, color: String) -> String {
        let r = 3.2
        switch shape {
        case .circle:
            return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(f(r - 0.4))\" fill=\"\(color)\"/>"
        case .square:
            return "<polygon points=\"\(f(x - r)),\(f(y - r)) \(f(x + r)),\(f(y - r)) \(f(x + r)),\(f(y + r)) \(f(x - r)),\(f(y + r))\" fill=\"\(color)\"/>"
        case .triangle:
            return "<polygon points=\"\(f(x)),\(f(y - r - 0.6)) \(f(x + r + 0.4)),\(f(y + r)) \(f(x - r - 0.4)),\(f(y + r))\" fill=\"\(color)\"/>"
        case .diamond:
            return "<polygon points=\"\(f(x)),\(f(y - r - 0.8)) \(f(x + r + 0.8)),\(f(y)) \(f(x)),\(f(y + r + 0.8)) \(f(x - r - 0.8)),\(f(y))\" fill=\"\(color)\"/>"
        case .invertedTriangle:
            return "<polygon points=\"\(f(x)),\(f(y + r + 0.6)) \(f(x + r + 0.4)),\(f(y - r)) \(f(x - r - 0.4)),\(f(y - r))\" fill=\"\(color)\"/>"
        case .cross:
            return "<polyline points=\"\(f(x - r)),\(f(y - r)) \(f(x + r)),\(f(y + r))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
                + "<polyline points=\"\(f(x - r)),\(f(y + r)) \(f(x + r)),\(f(y - r))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
        }
    }

    /// Width of the legend drawn to the right of the plot (0 with one series: no legend).
    var legendWidth: Double {
        guard series.count > 1 else { return 0 }
        let longest = series.map(\.name.count).max() ?? 0
        return min(max(Double(longest) * 6.2 + 34, 90), width * 0.4)
    }

    /// Width right of the plot for the labels of horizontal rules (0 without one).
    var ruleLabelWidth: Double {
        let longest = rules.filter { $0.axis == .y }.map(\.label.count).max() ?? 0
        return longest == 0 ? 0 : min(Double(longest) * 5.9 + 14, width * 0.3)
    }

    public init(title: String, xLabel: String, yLabel: String, series: [Series], kind: Kind = .line) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.kind = kind
    }

    /// Number of plotted points over all series (a chart with none is empty).
    public var pointCount: Int { series.map(\.points.count).reduce(0, +) }

    /// The axes' ranges: x (log10 values on a log axis) and y, fitted to the data and the rules.
    /// The y axis starts at `yMinimum` unless a value lies below it; a fitted bottom and the top
    /// get a margin so no point sits on the frame, and so do both ends of an x axis with markers.
    func ranges() -> (xMin: Double, xMax: Double, yMin: Double, yMax: Double) {
        let points = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite && (!logX || $0.x > 0) }
        let xs = points.map { tx($0.x) } + rules.filter { $0.axis == .x && (!logX || $0.value > 0) }.map { tx($0.value) }
        let ys = points.map(\.y) + rules.filter { $0.axis == .y }.map(\.value)
        var xMin = xs.min() ?? 0, xMax = xs.max() ?? 1
        if let xMinimum, !logX { xMin = min(xMin, xMinimum) }
        let lowest = ys.min() ?? 0
        var yMin = yMinimum.map { min($0, lowest) } ?? lowest
        var yMax = ys.max() ?? 1
        if kind == .bars { xMin -= 0.5; xMax += 0.5 }
        if xMax <= xMin { xMin -= 0.5; xMax += 0.5 }
        if yMax <= yMin { yMax = yMin + 1 }
        let ySpan = yMax - yMin
        yMax += ySpan * 0.05
        if yMinimum == nil || lowest < yMinimum! {
            // A margin under the lowest value, which does not take an axis of values all 0 or more
            // below zero. Below zero, the axis starts at the tick under the lowest value when that
            // tick is near (so the lowest values are labelled), else the margin is enough.
            yMin = lowest >= 0 ? max(0, yMin - ySpan * 0.05) : yMin - ySpan * 0.05
            let step = Self.step(yMin, yMax, integer: integerY)
            let tick = floor(lowest / step) * step
            if lowest < 0 && lowest - tick <= step / 2 { yMin = min(yMin, tick) }
        }
        if kind == .line && series.contains(where: { !$0.points.isEmpty && $0.points.count <= 40 }) {
            let xSpan = xMax - xMin
            xMin -= xSpan * 0.03
            xMax += xSpan * 0.03
        }
        return (xMin, xMax, yMin, yMax)
    }

    /// An x value on the axis's scale (log10 on a log axis).
    func tx(_ x: Double) -> Double { logX ? log10(max(x, 1e-12)) : x }

    /// The x ticks, as values on the axis's scale: on a log axis the data's own x values when
    /// there are at most 12 of them (leaving out one closer than `minimumGap` pixels to the tick
    /// before it), else 1, 2 and 5 times the powers of ten.
    func xTicks(xMin: Double, xMax: Double, plotWidth: Double, minimumGap: Double = 30) -> [Double] {
        guard logX else { return Self.ticks(xMin, xMax, integer: integerX) }
        let values = Set(series.flatMap(\.points).map(\.x).filter { $0 > 0 && $0.isFinite }).sorted()
        guard !values.isEmpty, values.count <= 12 else { return Self.logTicks(xMin, xMax) }
        var out: [Double] = []
        for value in values.map({ log10($0) }) {
            if let last = out.last, (value - last) / (xMax - xMin) * plotWidth < minimumGap { continue }
            out.append(value)
        }
        return out
    }

    public func render() -> String {
        // The legend and the labels of horizontal rules sit right of the plot, never over the
        // data; a vertical rule's label needs room above the plot, under the title.
        let left = 70.0, right = 20.0 + max(legendWidth, ruleLabelWidth), bottom = 48.0
        let top = rules.contains { $0.axis == .x } ? 48.0 : 36.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let (xMin, xMax, yMin, yMax) = ranges()
        func px(_ x: Double) -> Double { left + (tx(x) - xMin) / (xMax - xMin) * plotWidth }
        func pxRaw(_ t: Double) -> Double { left + (t - xMin) / (xMax - xMin) * plotWidth }
        func py(_ y: Double) -> Double { top + plotHeight - (y - yMin) / (yMax - yMin) * plotHeight }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(Int(width / 2))" y="20" text-anchor="middle" font-size="14" font-weight="bold">\(Self.escape(title))</text>

            """
        // Grid and ticks; zero, when the axis goes below it, gets a darker line.
        for tick in Self.ticks(yMin, yMax, integer: integerY) {
            let y = py(tick)
            let stroke = tick == 0 && yMin < 0 ? "#999" : "#e5e5e5"
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y))\" stroke=\"\(stroke)\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(Self.label(tick))</text>\n"
        }
        for tick in xTicks(xMin: xMin, xMax: xMax, plotWidth: plotWidth) {
            let x = pxRaw(tick)
            let value = pow(10, tick)
            let text = logX ? Self.label(value >= 1 ? value.rounded() : value) : Self.label(tick)
            svg += "<line x1=\"\(f(x))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(x))\" y2=\"\(f(top + plotHeight + 4))\" stroke=\"#333\"/>"
            svg += "<text x=\"\(f(x))\" y=\"\(f(top + plotHeight + 16))\" text-anchor=\"middle\">\(text)</text>\n"
        }
        svg += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"#333\"/>\n"
        svg += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 8))\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        svg += "<text transform=\"translate(14,\(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(Self.escape(yLabel))</text>\n"
        // Data.
        // On a counted x axis (attempts, instances, strategies) or a log one (cache sizes, few
        // values far apart) the series of a line chart are set a few pixels apart, so equal
        // values of two series do not hide one under the other.
        let dodge = kind == .line && (integerX || logX) && series.count > 1 ? min(5, plotWidth / Double(max(pointCount, 1)) / 4) : 0
        for (index, one) in series.enumerated() {
            let color = Self.palette[index % Self.palette.count]
            let shift = dodge * (Double(index) - Double(series.count - 1) / 2)
            func px(_ x: Double) -> Double { left + (tx(x) - xMin) / (xMax - xMin) * plotWidth + shift }
            switch kind {
            case .line, .steps:
                guard !one.points.isEmpty else { continue }
                var path = ""
                var previous: (Double, Double)?
                for point in one.points {
                    let x = px(point.x), y = py(point.y)
                    if let previous, kind == .steps {
                        path += " L\(f(x)),\(f(previous.1))"
                    }
                    path += previous == nil ? "M\(f(x)),\(f(y))" : " L\(f(x)),\(f(y))"
                    previous = (x, y)
                }
                svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.6\"/>\n"
                if one.points.count <= 40 {
                    // A step's marker sits in the middle of its step (a histogram's bin), not on its
                    // left edge; the last point only closes the last step.
                    let marked = kind == .steps ? zip(one.points, one.points.dropFirst()).map { (x: ($0.x + $1.x) / 2, y: $0.y) } : one.points
                    for point in marked {
                        svg += markerSVG(Self.marker(index), x: px(point.x), y: py(point.y), color: color)
                    }
                    svg += "\n"
                }
            case .bars:
                let groups = Double(max(series.count, 1))
                let slot = plotWidth / max(xMax - xMin, 1) * 0.8
                let barWidth = slot / groups
                for point in one.points {
                    let x = px(point.x) - slot / 2 + Double(index) * barWidth
                    // A bar grows from zero (or the axis's bottom), down for a negative value.
                    let base = py(min(max(0, yMin), yMax)), y = py(point.y)
                    svg += "<rect x=\"\(f(x))\" y=\"\(f(min(y, base)))\" width=\"\(f(max(barWidth - 1, 1)))\" height=\"\(f(abs(base - y)))\" fill=\"\(color)\"/>"
                }
                svg += "\n"
            }
        }
        // Reference lines over the data, their labels on a white halo: a vertical line's above
        // the plot, a horizontal line's just above it at the left.
        for rule in rules {
            let halo = "paint-order=\"stroke\" stroke=\"white\" stroke-width=\"3\" font-size=\"10.5\" fill=\"#222\""
            switch rule.axis {
            case .x:
                guard !logX || rule.value > 0 else { continue }
                let x = px(rule.value)
                svg += "<line x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(top + plotHeight))\" stroke=\"#333\" stroke-width=\"1.2\" stroke-dasharray=\"6,3\"/>"
                let anchor = x > left + plotWidth * 0.75 ? "end" : x < left + plotWidth * 0.25 ? "start" : "middle"
                svg += "<text x=\"\(f(x))\" y=\"\(f(top - 5))\" text-anchor=\"\(anchor)\" \(halo)>\(Self.escape(rule.label))</text>\n"
            case .y:
                let y = py(rule.value)
                svg += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y))\" stroke=\"#333\" stroke-width=\"1.2\" stroke-dasharray=\"6,3\"/>"
                // Right of the plot at the line's height, or under the legend when that is in the way.
                let legendBottom = series.count > 1 ? top + 8 + Double(series.count) * 15 : top
                let labelY = series.count > 1 && y + 4 < legendBottom + 10 ? legendBottom + 12 : y + 4
                svg += "<text x=\"\(f(left + plotWidth + 6))\" y=\"\(f(labelY))\" text-anchor=\"start\" \(halo)>\(Self.escape(rule.label))</text>\n"
            }
        }
        // Legend.
        if series.count > 1 {
            for (index, one) in series.enumerated() {
                let y = top + 8 + Double(index) * 15
                let color = Self.palette[index % Self.palette.count]
                let x = left + plotWidth + 12
                if kind == .bars {
                    svg += "<rect x=\"\(f(x))\" y=\"\(f(y - 8))\" width=\"10\" height=\"10\" fill=\"\(color)\"/>"
                } else {
                    svg += "<line x1=\"\(f(x - 2))\" y1=\"\(f(y - 3))\" x2=\"\(f(x + 12))\" y2=\"\(f(y - 3))\" stroke=\"\(color)\" stroke-width=\"1.6\"/>"
                    svg += markerSVG(Self.marker(index), x: x + 5, y: y - 3, color: color)
                }
                svg += "<text x=\"\(f(x + 16))\" y=\"\(f(y + 1))\">\(Self.escape(one.name))</text>\n"
            }
        }
        svg += "</svg>\n"
        return svg
    }

    private func f(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// Ticks of a log axis (`low` and `high` are log10 values): 1, 2 and 5 times the powers of
    /// ten in range, so the labels are round numbers.
    static func logTicks(_ low: Double, _ high: Double) -> [Double] {
        guard low.isFinite, high.isFinite, high > low else { return [low] }
        var out: [Double] = []
        for decade in Int(floor(low))...Int(ceil(high)) {
            for mantissa in [1.0, 2, 5] {
                let tick = log10(mantissa) + Double(decade)
                if tick >= low - 1e-9 && tick <= high + 1e-9 { out.append(tick) }
            }
        }
        return out.isEmpty ? [low] : out
    }

    /// Round ticks from `low` to `high`; with `integer`, whole numbers only (a step of 1 or more
    /// and never 2.5 times a power of ten).
    static func ticks(_ low: Double, _ high: Double, count: Int = 6, integer: Bool = false) -> [Double] {
        guard high - low > 0, (high - low).isFinite else { return [low] }
        let step = Self.step(low, high, count: count, integer: integer)
        var tick = ceil(low / step) * step
        var out: [Double] = []
        while tick <= high + step * 1e-9 && out.count < 20 {
            out.append(tick)
            tick += step
        }
        return out
    }

    /// The distance between two ticks from `low` to `high`: 1, 2, 2.5 or 5 times a power of ten
    /// (with `integer`, 1, 2 or 5 times one, and at least 1).
    static func step(_ low: Double, _ high: Double, count: Int = 6, integer: Bool = false) -> Double {
        let raw = (high - low) / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        guard integer else { return step }
        return [1.0, 2, 5, 10].map { $0 * max(magnitude, 1) }.first { $0 >= raw } ?? max(1, step.rounded(.up))
    }

    static func label(_ value: Double) -> String {
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1_000_000 { return trimmed(value / 1_000_000) + "M" }
        if magnitude >= 10_000 { return trimmed(value / 1000) + "k" }
        return trimmed(value)
    }

    static func trimmed(_ value: Double) -> String {
        if value == value.rounded() { return String(Int(value)) }
        let text = String((value * 1000).rounded() / 1000)
        return text
    }

    static func escape(_ text: String) -> String {
        text.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;")
    }
}
