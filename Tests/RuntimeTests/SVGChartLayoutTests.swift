import Testing

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
}
