import Foundation

// How the bench's reports write figures (one copy for all of them): padded columns, whole
// numbers with thousands separators, two decimals.

/// `text` left-aligned in `width` columns, followed by at least one space.
func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}

func number(_ value: Double) -> String {
    let formatter = NumberFormatter()
    formatter.numberStyle = .decimal
    formatter.maximumFractionDigits = 0
    return formatter.string(from: NSNumber(value: value)) ?? "\(value)"
}

func decimal(_ value: Double) -> String { String(format: "%.2f", value) }
