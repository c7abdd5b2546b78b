/// Where the inverse document frequencies of a score come from.
public enum IDFMode: String, CaseIterable, Sendable {
    /// IDF from the best answers of the whole dataset (a model file built once).
    case corpus
    /// IDF fitted on the two texts alone, as the original system did with scikit-learn's
    /// `TfidfVectorizer().fit([reference, answer])`.
    case pair
}
