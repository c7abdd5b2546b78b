import VeredictoCore
/// Which entry a full `AnswerCache` evicts to make room for a new one.
public enum CachePolicy: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Least recently used: every `get` hit and every `put` makes an entry the most recent.
    case lru
    /// Least frequently used: every `get` hit and every `put` of an existing key counts one use.
    /// Among the entries with the fewest uses, the one that was used least recently goes first.
    case lfu
    /// First in, first out: entries leave in the order they were inserted. Neither a `get` nor a
    /// `put` that replaces the value of a present key moves an entry.
    case fifo

    /// The policy named by `text` (`lru`, `lfu` or `fifo`, in any case, blanks around ignored).
    ///
    /// - Throws: `ConfigurationError` naming `variable` and the allowed values.
    public init(parsing text: String, variable: String = "CACHE_POLICY") throws {
        self = try EnvironmentReader.choice(text, variable: variable)
    }

    public var description: String { rawValue }
}
