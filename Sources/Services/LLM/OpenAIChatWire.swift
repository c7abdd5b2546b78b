/// The JSON bodies of the OpenAI chat-completions API, as far as this client uses them.
enum OpenAIChatWire {
    struct Request: Encodable {
        struct Message: Encodable {
            let role: String
            let content: String
        }

        let model: String
        let messages: [Message]
        let temperature: Double
        let maxTokens: Int?
        let stream = false

        enum CodingKeys: String, CodingKey {
            case model, messages, temperature, stream
            case maxTokens = "max_tokens"
        }
    }

    struct Response: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable {
                let content: String?
            }

            let message: Message?
            let finishReason: String?

            enum CodingKeys: String, CodingKey {
                case message
                case finishReason = "finish_reason"
            }
        }

        /// Tokens the call cost, as the server counted them.
        struct Usage: Decodable {
            let promptTokens: Int?
            let completionTokens: Int?

            enum CodingKeys: String, CodingKey {
                case promptTokens = "prompt_tokens"
                case completionTokens = "completion_tokens"
            }
        }

        let choices: [Choice]?
        let model: String?
        let usage: Usage?
    }

    /// `{"error": {"message": ...}}`, the error body of OpenAI and most compatible servers.
    struct ErrorBody: Decodable {
        struct Detail: Decodable {
            let message: String?
        }

        let error: Detail?
    }
}
