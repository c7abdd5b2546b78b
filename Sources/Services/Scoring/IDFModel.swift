import CScoring

/// Document frequencies of the terms of a corpus: the IDF of `corpus` scoring mode.
///
/// Immutable once built or loaded, so one model is shared by every scorer and thread.
public final class IDFModel: @unchecked Sendable {
    // @unchecked: the C model is never written after creation; csc.h documents reads from
    // any number of threads as safe.
    private let handle: OpaquePointer

    private init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        csc_model_free(handle)
    }

    /// Loads a model file written by `save(to:)` (`veredicto idf build`).
    public convenience init(loading path: String) throws {
        var status: Int32 = 0
        guard let handle = csc_model_load(path, &status) else {
            throw ScoringError(status: status, context: "cannot load IDF model \(path)")
        }
        self.init(handle: handle)
    }

    /// Loads a model from the bytes of a model file.
    public convenience init(bytes: [UInt8]) throws {
        var status: Int32 = 0
        let handle = bytes.withUnsafeBytes { csc_model_load_buffer($0.baseAddress, $0.count, &status) }
        guard let handle else { throw ScoringError(status: status, context: "cannot read IDF model") }
        self.init(handle: handle)
    }

    /// Builds a model over `documents` (the best answers of a dataset), keeping terms that
    /// occur in at least `minimumDocumentFrequency` documents.
    public static func build<Documents: Sequence>(
        from documents: Documents, minimumDocumentFrequency: UInt32 = 1
    ) throws -> IDFModel where Documents.Element: StringProtocol {
        let builder = try IDFModelBuilder()
        for document in documents { try builder.add(document) }
        return try builder.finish(minimumDocumentFrequency: minimumDocumentFrequency)
    }

    /// Writes the model file (header + zstd-compressed term table + checksum).
    public func save(to path: String, compressionLevel: Int = 19) throws {
        let status = csc_model_save(handle, path, Int32(compressionLevel))
        guard status == 0 else { throw ScoringError(status: status, context: "cannot write IDF model \(path)") }
    }

    /// Number of documents the model was built from.
    public var documentCount: Int { Int(csc_model_documents(handle)) }

    /// Number of distinct terms it holds.
    public var termCount: Int { Int(csc_model_terms(handle)) }

    /// Document frequency of a lowercased token (0 when the corpus never had it).
    public func documentFrequency(of token: String) -> Int {
        Int(csc_model_df(handle, Self.termID(token)))
    }

    /// Smoothed IDF, ln((1 + N) / (1 + df)) + 1, of a lowercased token.
    public func idf(of token: String) -> Double {
        csc_model_idf(handle, Self.termID(token))
    }

    static func termID(_ token: String) -> UInt64 {
        var token = token
        return token.withUTF8 { csc_term_id($0.baseAddress, $0.count) }
    }

    func withHandle<Result>(_ body: (OpaquePointer) throws -> Result) rethrows -> Result {
        try body(handle)
    }
}

/// Accumulates document frequencies one document at a time (datasets are streamed).
public final class IDFModelBuilder {
    private let handle: OpaquePointer
    private let arena: ScoringArena

    public init() throws {
        guard let handle = csc_model_builder_new() else {
            throw ScoringError(.outOfMemory, "cannot allocate an IDF model builder")
        }
        self.handle = handle
        self.arena = try ScoringArena()
    }

    deinit {
        csc_model_builder_free(handle)
    }

    /// Adds one document.
    public func add<Text: StringProtocol>(_ document: Text) throws {
        var text = String(document)
        let status = text.withUTF8 { bytes in
            arena.withPointer { csc_model_builder_add(handle, $0, bytes.baseAddress, bytes.count) }
        }
        guard status == 0 else { throw ScoringError(status: status, context: "cannot add a document") }
    }

    /// Adds one document given as UTF-8 bytes.
    public func add(utf8 bytes: UnsafeRawBufferPointer) throws {
        let status = arena.withPointer {
            csc_model_builder_add(handle, $0, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        guard status == 0 else { throw ScoringError(status: status, context: "cannot add a document") }
    }

    /// The model of the documents added so far.
    public func finish(minimumDocumentFrequency: UInt32 = 1) throws -> IDFModel {
        var status: Int32 = 0
        guard let model = csc_model_builder_finish(handle, minimumDocumentFrequency, &status) else {
            throw ScoringError(status: status, context: "cannot build the IDF model")
        }
        return IDFModel(adopting: model)
    }
}

extension IDFModel {
    fileprivate convenience init(adopting handle: OpaquePointer) {
        self.init(handle: handle)
    }
}
