import Foundation

/// Takes credentials out of text that leaves the process (`error_detail` on `llm_errors`, logs,
/// metrics): the API key wherever it appears, the token after `Bearer`/`Basic`, the value of a
/// `password`, `api_key`, `token`, `secret` or `authorization` field, the user and password in
/// a URL, and anything shaped like an OpenAI key; then bounds the text.
package enum SecretScrubber {
    /// The longest text it returns, in characters (a cut one ends with `...`).
    package static let maximumLength = 500
    static let redacted = "<redacted>"

    private static let patterns: [(NSRegularExpression, String)] = [
        (#"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"#, "$1 \(redacted)"),
        (#"(?i)("?\b(?:password|passwd|pwd|api[_-]?key|access[_-]?token|refresh[_-]?token|token|secret|authorization)"?\s*[:=]\s*"?)[^"\s,&;}]+"#,
         "$1\(redacted)"),
        (#"(?i)(\b[a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]*@"#, "$1\(redacted)@"),
        (#"\bsk-[A-Za-z0-9_-]{8,}"#, "sk-\(redacted)"),
    ].map { pattern, template in
        // The patterns are constants: a failure to compile one is a programmer error.
        (try! NSRegularExpression(pattern: pattern), template)
    }

    /// `text` without the `secrets` (each at least 4 characters; shorter ones are not looked
    /// for, they would match ordinary words) and without anything that looks like a credential,
    /// at most `maximumLength` characters.
    package static func scrub(_ text: String, secrets: [String] = []) -> String {
        var result = scrubbing(text, secrets: secrets)
        if result.count > maximumLength { result = String(result.prefix(maximumLength)) + "..." }
        return result
    }

    /// As `scrub`, without bounding the length: for a text shortened afterwards.
    package static func scrubbing(_ text: String, secrets: [String] = []) -> String {
        var result = text
        for secret in secrets where secret.count >= 4 {
            result = result.replacingOccurrences(of: secret, with: redacted)
        }
        for (expression, template) in patterns {
            let range = NSRange(result.startIndex..., in: result)
            result = expression.stringByReplacingMatches(in: result, range: range, withTemplate: template)
        }
        return result
    }
}

extension LLMError {
    /// The same error with its detail scrubbed (`SecretScrubber`).
    package func scrubbed(secrets: [String] = []) -> LLMError {
        switch self {
        case .overload(let detail): .overload(SecretScrubber.scrub(detail, secrets: secrets))
        case .quota(let retryAfter, let detail): .quota(retryAfter: retryAfter, detail: SecretScrubber.scrub(detail, secrets: secrets))
        case .invalidResponse(let detail): .invalidResponse(SecretScrubber.scrub(detail, secrets: secrets))
        case .client(let detail): .client(SecretScrubber.scrub(detail, secrets: secrets))
        }
    }
}
