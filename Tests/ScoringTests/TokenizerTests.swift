import Testing

@testable import Scoring

/// The tokenizer splits as scikit-learn's `(?u)\b\w\w+\b` after `str.lower()`.
@Suite struct TokenizerTests {
    let scorer = try! TFIDFScorer()

    @Test func asciiTokensOfTwoOrMoreWordCharacters() {
        #expect(scorer.tokens(of: "Hello, World! It's a_b c 42 x9 I") == ["hello", "world", "it", "a_b", "42", "x9"])
    }

    @Test func escapedNewlineIsASeparator() {
        #expect(scorer.tokens(of: "first line\\nnext line\\n\\nend") == ["first", "line", "next", "line", "end"])
        // Only backslash + 'n' is special.
        #expect(scorer.tokens(of: "a\\tab \\Nope") == ["tab", "nope"])
    }

    @Test func latin1LettersAndPunctuationAsPython() {
        #expect(scorer.tokens(of: "Café ÉTÉ naïve São Zürich Ñandú") == ["café", "été", "naïve", "são", "zürich", "ñandú"])
        // × and ÷ are not word characters; ², ½ and º are (str.isalnum()).
        #expect(scorer.tokens(of: "3×4=12 ab÷cd x² ½½ 1º") == ["12", "ab", "cd", "x²", "½½", "1º"])
        // NBSP and soft hyphen separate; curly quotes, dashes and ellipsis too.
        #expect(scorer.tokens(of: "no\u{A0}break soft\u{AD}hyphen “quoted” en–dash em—dash wait…what") ==
                ["no", "break", "soft", "hyphen", "quoted", "en", "dash", "em", "dash", "wait", "what"])
    }

    @Test func greekAndCyrillicAreLowered() {
        #expect(scorer.tokens(of: "ΔΈΛΤΑ Ωmega МОСКВА Ёлка") == ["δέλτα", "ωmega", "москва", "ёлка"])
    }

    @Test func emojiAndSymbolsSeparate() {
        #expect(scorer.tokens(of: "good🙂job 20€ 30°C ok✓fine") == ["good", "job", "20", "30", "ok", "fine"])
    }

    @Test func cjkIdeographsAreWordCharacters() {
        // A token is two characters or more, not two bytes: a lone ideograph, é or emoji-free
        // single letter is dropped however many bytes it takes.
        #expect(scorer.tokens(of: "中文 字 日本語、かな é É 𝐀 𝐀𝐁") == ["中文", "日本語", "かな", "𝐀𝐁"])
    }

    @Test func invalidUTF8Separates() {
        let bytes: [UInt8] = Array("abc".utf8) + [0xFF] + Array("def".utf8) + [0xC3] + Array("gh".utf8)
        let text = String(decoding: bytes, as: UTF8.self)  // decodes 0xFF and 0xC3 to U+FFFD
        #expect(scorer.tokens(of: text) == ["abc", "def", "gh"])
        let raw = bytes.withUnsafeBytes { buffer in
            scorer.score(answer: buffer, reference: UnsafeRawBufferPointer(start: nil, count: 0))
        }
        #expect(raw == 0)
    }

    @Test func termIDsOfShortTokensNeverCollide() {
        // All tokens of two lowercase letters and digits, and their one-letter extensions.
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789_".utf8)
        var seen = Set<UInt64>()
        var count = 0
        for a in alphabet {
            for b in alphabet {
                for c in alphabet + [0] {
                    let token = c == 0 ? [a, b] : [a, b, c]
                    seen.insert(IDFModel.termID(String(decoding: token, as: UTF8.self)))
                    count += 1
                }
            }
        }
        #expect(seen.count == count)
        #expect(!seen.contains(0))
    }
}
