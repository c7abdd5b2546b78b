/// Facts about the librdkafka library this process runs with.
public enum KafkaLibrary {
    /// The version of the librdkafka shared library loaded at run time (`rd_kafka_version_str()`),
    /// which can differ from the headers the program was built with (e.g. a newer library put
    /// first on `LD_LIBRARY_PATH`). Every client logs it when it is created.
    public static var version: String { RDKafkaClient.libraryVersion }
}
