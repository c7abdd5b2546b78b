/// One row of a yahoo_answers_csv file: `class,title,content,best_answer`.
///
/// Texts keep the dataset's escaped newlines (the two characters `\n`); the tokenizer
/// treats them as separators, and `displayText` turns them into real newlines.
public struct YahooRow: Sendable, Equatable {
    /// Category, 1...10 (Society & Culture ... Politics & Government).
    public var classIndex: Int
    public var title: String
    public var content: String
    public var bestAnswer: String

    public init(classIndex: Int, title: String, content: String, bestAnswer: String) {
        self.classIndex = classIndex
        self.title = title
        self.content = content
        self.bestAnswer = bestAnswer
    }

    /// The ten categories of the dataset, by class index - 1.
    public static let categories = [
        "Society & Culture", "Science & Mathematics", "Health", "Education & Reference", "Computers & Internet",
        "Sports", "Business & Finance", "Entertainment & Music", "Family & Relationships", "Politics & Government",
    ]

    /// A dataset text with its escaped newlines turned into real ones.
    public static func displayText(_ text: String) -> String {
        text.replacing("\\n", with: "\n")
    }
}
