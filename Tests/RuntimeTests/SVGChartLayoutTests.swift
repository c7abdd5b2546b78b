import Testing

import Generator
@testable import Observability

/// The charts' layout: legends beside the plot, whole-number ticks on counted axes, and series
/// told apart by marker shape as well as colour.
@Suite struct SVGChartLayoutTests {
    static func chart(names: [String] = ["threshold 0.50, MAX_RETRIES 3", "threshold 0.65, MAX_RETRIES 5"]) -> SVGChart {
        SVGChart(title: "t", xLabel: "attempt", yLabel: "gain", series: names.enumerated().map { index, name in
            .init(name: name, points: [(x: 2, y: 0.1 + Double(index)), (x: 3, y: 0.05), (x: 4, y: 0.02)])
        })
    }

    /// The x coordinates of the elements whose tag starts with `prefix`.
    static func numbers(after marker: String, in svg: String) -> [Double] {
        svg.components(separatedBy: marker).dropFirst().compactMap { Double($0.prefix { $0 != "\"" }) }
    }

    @Test func theLegendIsDrawnRightOfThePlot() {
        let chart = Self.chart()
        let svg = chart.render()
        // The plot's frame: the rect with no fill whose x is the left margin.
        let frame = svg.components(separatedBy: "<rect x=\"70\"").dropFirst().first { $0.contains("fill=\"none\"") }!
        let width = Double(frame.components(separatedBy: "width=\"")[1].prefix { $0 != "\"" })!
        let plotRight = 70 + width
        let legendTexts = svg.components(separatedBy: "<text x=\"").dropFirst().filter { $0.contains(">threshold 0.") }
        #expect(legendTexts.count == 2)
        for text in legendTexts { #expect(Double(text.prefix { $0 != "\"" })! > plotRight) }
        // The first series' three points (circles) lie inside the plot, its legend marker outside.
        let circles = Self.numbers(after: "cx=\"", in: svg)
        #expect(circles.filter { $0 <= plotRight }.count == 3)
        #expect(circles.filter { $0 > plotRight }.count == 1)
    }

    @Test func countedAxesHaveWholeNumberTicks() {
        for (low, high) in [(2.0, 4.0), (1.0, 3.0), (0.5, 2.5), (1.0, 40.0)] {
            let ticks = SVGChart.ticks(low, high, integer: true)
            #expect(!ticks.isEmpty)
            #expect(ticks.allSatisfy { $0 == $0.rounded() }, "\(low)...\(high): \(ticks)")
        }
        // Without the flag a short span gets fractional ticks.
        #expect(SVGChart.ticks(2, 4).contains { $0 != $0.rounded() })
    }

    @Test func seriesDifferInMarkerAsWellAsColour() {
        let svg = Self.chart(names: ["a", "b", "c"]).render()
        #expect(svg.contains("<circle"))
        #expect(svg.contains("<polygon"))
        let colours = Set(SVGChart.palette)
        #expect(colours.count == SVGChart.palette.count)
        #expect(Set((0..<4).map { SVGChart.marker($0) }).count == 4)
    }

    /// Every `<text x=".." y="..">label</text>` of `svg`.
    static func texts(in svg: String) -> [(x: Double, y: Double, text: String)] {
        svg.components(separatedBy: "<text ").dropFirst().compactMap { piece in
            guard let close = piece.range(of: ">"), let end = piece.range(of: "</text>") else { return nil }
            let attributes = piece[..<close.lowerBound]
            func number(_ name: String) -> Double? {
                attributes.components(separatedBy: " \(name)=\"").dropFirst().first.flatMap { Double($0.prefix { $0 != "\"" }) }
                    ?? (attributes.hasPrefix("\(name)=\"") ? Double(attributes.dropFirst(name.count + 2).prefix { $0 != "\"" }) : nil)
            }
            guard let x = number("x"), let y = number("y") else { return nil }
            return (x, y, String(piece[close.upperBound..<end.lowerBound]))
        }
    }

    /// The labels under the x axis (the plot's bottom is 48 px above the chart's, labels 16 below it).
    static func xTickLabels(_ chart: SVGChart) -> [String] {
        texts(in: chart.render()).filter { $0.y == chart.height - 48 + 16 }.map(\.text)
    }

    @Test func aLogAxisIsTickedAtTheDataValues() {
        var chart = SVGChart(title: "t", xLabel: "cache size", yLabel: "hit rate", series: [
            .init(name: "lru", points: [(x: 256, y: 0.5), (x: 1024, y: 0.8)]),
            .init(name: "lfu", points: [(x: 256, y: 0.6), (x: 1024, y: 0.9)]),
        ])
        chart.logX = true
        #expect(Self.xTickLabels(chart) == ["256", "1024"])
        // 32 and 33 would print over each other: the second is left out.
        chart.series[0].points += [(x: 32, y: 0.3), (x: 33, y: 0.3)]
        #expect(Self.xTickLabels(chart) == ["32", "256", "1024"])
        // Too many values to label: round ticks (1, 2 and 5 times the powers of ten) instead.
        chart.series = [.init(name: "a", points: (1...20).map { (x: Double($0 * 50), y: 1) })]
        #expect(Self.xTickLabels(chart) == ["50", "100", "200", "500", "1000"])
    }

    @Test func theYAxisReachesBelowZeroWhenTheDataDoes() {
        for minimum in [0.0, nil] as [Double?] {
            var chart = SVGChart(title: "t", xLabel: "strategy", yLabel: "added latency (ms)", series: [
                .init(name: "a", points: [(x: 1, y: -40), (x: 2, y: 120), (x: 3, y: 10)]),
            ])
            chart.yMinimum = minimum
            let svg = chart.render()
            // Every marker lies inside the plot (top 36, bottom height - 48).
            let ys = Self.numbers(after: "cy=\"", in: svg)
            #expect(ys.count == 3)
            #expect(ys.allSatisfy { $0 > 36 && $0 < chart.height - 48 }, "\(ys)")
            // A tick below -40 labels the lowest value, and zero gets the darker line.
            let yLabels = Self.texts(in: svg).filter { $0.x == 70 - 6 }.compactMap { Double($0.text) }
            #expect(yLabels.contains { $0 <= -40 }, "\(yLabels)")
            #expect(yLabels.contains(0))
            #expect(svg.contains("stroke=\"#999\""))
        }
        // All negative, fitted: no tick above the data's maximum plus its margin.
        var negative = SVGChart(title: "t", xLabel: "x", yLabel: "y", series: [.init(name: "a", points: [(x: 1, y: -5), (x: 2, y: -1)])])
        negative.yMinimum = nil
        let labels = Self.texts(in: negative.render()).filter { $0.x == 64 }.compactMap { Double($0.text) }
        #expect(!labels.isEmpty && labels.allSatisfy { $0 < 0 }, "\(labels)")
    }

    @Test func negativeBarsHangFromZero() {
        var chart = SVGChart(title: "t", xLabel: "x", yLabel: "y", series: [.init(name: "a", points: [(x: 1, y: -2), (x: 2, y: 4)])],
                             kind: .bars)
        chart.yMinimum = nil
        let svg = chart.render()
        let bars = svg.components(separatedBy: "<rect x=\"").dropFirst().filter { $0.contains("fill=\"#0072B2\"") }
        #expect(bars.count == 2)
        func attribute(_ piece: String, _ name: String) -> Double { Double(piece.components(separatedBy: " \(name)=\"")[1].prefix { $0 != "\"" })! }
        // The negative bar starts where the positive one ends: at zero.
        #expect(abs(attribute(bars[0], "y") - (attribute(bars[1], "y") + attribute(bars[1], "height"))) < 0.2)
    }

    @Test func rulesAreDrawnLabelledAndInsideThePlot() {
        var chart = SVGChart(title: "t", xLabel: "score threshold", yLabel: "calls", series: [
            .init(name: "calls", points: [(x: 0.3, y: 1.2), (x: 0.5, y: 1.6), (x: 0.7, y: 2.0)]),
        ])
        chart.rules = [.vertical(at: 0.6, "suggested 0.60"), .horizontal(at: 2.5, "budget 2.5 calls")]
        let svg = chart.render()
        let dashed = svg.components(separatedBy: "<line ").dropFirst().filter { $0.contains("stroke-dasharray") }
        #expect(dashed.count == 2)
        func attribute(_ piece: String, _ name: String) -> Double { Double(piece.components(separatedBy: "\(name)=\"")[1].prefix { $0 != "\"" })! }
        let vertical = dashed.first { attribute($0, "x1") == attribute($0, "x2") }!
        let horizontal = dashed.first { attribute($0, "y1") == attribute($0, "y2") }!
        // The budget lies above every point, yet the axis stretches to show its line.
        #expect(attribute(horizontal, "y1") > 36 && attribute(horizontal, "y1") < chart.height - 48)
        // 0.6 lies between the points at 0.5 and 0.7.
        let markers = Self.numbers(after: "cx=\"", in: svg)
        #expect(attribute(vertical, "x1") > markers[1] && attribute(vertical, "x1") < markers[2])
        let labels = Self.texts(in: svg).map(\.text)
        #expect(labels.contains("suggested 0.60") && labels.contains("budget 2.5 calls"))
    }

    @Test func trafficChartsStateTheirBinWidth() {
        // 10 s of sends: about 60 bins of 10/60 s, rounded up to 0.2 s.
        let chart = TrafficLog.trafficChart((0..<1000).map { Double($0) / 100 })
        #expect(chart.title.contains("200 ms bins"))
        #expect(chart.yLabel.contains("per 200 ms bin"))
        let slow = TrafficLog.trafficChart((0..<100).map { Double($0) * 6 })  // 594 s: 10 s bins
        #expect(slow.title.contains("10 s bins"))
    }

    /// The plot's frame: x, y, width and height of the rect without fill.
    static func frame(_ svg: String) -> (x: Double, y: Double, width: Double, height: Double) {
        let piece = svg.components(separatedBy: "<rect x=\"").dropFirst().first { $0.contains("fill=\"none\"") }!
        func value(_ name: String) -> Double { Double(piece.components(separatedBy: "\(name)=\"")[1].prefix { $0 != "\"" })! }
        return (Double(piece.prefix { $0 != "\"" })!, value("y"), value("width"), value("height"))
    }

    @Test func ruleLabelsStayOffTheDataAndTheTitle() {
        var chart = SVGChart(title: "Score threshold: regeneration cost", xLabel: "score threshold", yLabel: "calls", series: [
            .init(name: "calls", points: [(x: 0.3, y: 1.2), (x: 0.5, y: 1.6), (x: 0.7, y: 2.3)]),
        ])
        chart.rules = [.vertical(at: 0.3, "suggested 0.30"), .horizontal(at: 2, "budget 2 calls")]
        let svg = chart.render()
        let plot = Self.frame(svg)
        let texts = Self.texts(in: svg)
        // The budget's label is right of the plot; the suggestion's above it, clear of the title
        // (drawn at y 20 in 14 px type).
        let budget = texts.first { $0.text == "budget 2 calls" }!
        #expect(budget.x > plot.x + plot.width)
        let suggestion = texts.first { $0.text == "suggested 0.30" }!
        #expect(suggestion.y < plot.y && suggestion.y - 10 > 20 + 2, "\(suggestion.y)")
    }

    @Test(arguments: [false, true]) func equalValuesOfTwoSeriesStayVisible(logAxis: Bool) {
        var chart = SVGChart(title: "t", xLabel: "attempt", yLabel: "gain", series: [
            .init(name: "threshold 0.50, MAX_RETRIES 3", points: [(x: 2, y: 0.1), (x: 3, y: 0.05)]),
            .init(name: "threshold 0.50, MAX_RETRIES 5", points: [(x: 2, y: 0.1), (x: 3, y: 0.05), (x: 4, y: 0.02)]),
        ])
        if logAxis { chart.logX = true } else { chart.integerX = true }
        let svg = chart.render()
        // The first series' circles and the second's squares are not drawn on the same spot.
        let circles = Self.numbers(after: "<circle cx=\"", in: svg).filter { $0 < Self.frame(svg).x + Self.frame(svg).width }
        let squares = svg.components(separatedBy: "<polygon points=\"").dropFirst().compactMap { Double($0.prefix { $0 != "," }) }
        #expect(circles.count == 2 && squares.count >= 3)
        for circle in circles { #expect(squares.allSatisfy { abs(($0 + 3.2) - circle) > 2 }, "\(circles) \(squares)") }
    }

    @Test func aFittedAxisOfSharesStaysAtZeroOrAbove() {
        var shares = SVGChart(title: "t", xLabel: "strategy", yLabel: "share answered", series: [
            .init(name: "a", points: [(x: 1, y: 0.01), (x: 2, y: 1)]),
        ])
        shares.yMinimum = nil
        let labels = Self.texts(in: shares.render()).filter { $0.x == 64 }.compactMap { Double($0.text) }
        #expect(!labels.isEmpty && labels.allSatisfy { $0 >= 0 }, "\(labels)")
        // A value just under zero in a span of thousands gets a margin, not a whole step of 2,000 below.
        var latency = SVGChart(title: "t", xLabel: "strategy", yLabel: "added latency (ms)", series: [
            .init(name: "a", points: [(x: 1, y: -3), (x: 2, y: 8400)]),
        ])
        latency.yMinimum = nil
        let ticks = Self.texts(in: latency.render()).filter { $0.x == 64 }.map(\.text)
        #expect(ticks.first == "0", "\(ticks)")
    }

    @Test func aLatencyAxisCanStartAtZero() {
        var cdf = SVGChart(title: "t", xLabel: "latency (ms)", yLabel: "fraction", series: [
            .init(name: "a", points: (0...50).map { (x: 3 + Double($0) * 4, y: Double($0) / 50) }),
        ])
        #expect(Self.xTickLabels(cdf).first != "0")
        cdf.xMinimum = 0
        #expect(Self.xTickLabels(cdf).first == "0")
    }
}
