import CScoring

/// A byte-classification kernel of the scoring core.
public enum ScoringKernel: Int32, CaseIterable, Sendable, CustomStringConvertible {
    case scalar = 1
    case sse2 = 2
    case sse42 = 3
    case avx2 = 4
    case avx512 = 5
    case neon = 6

    /// The kernel's name as the benchmark and the CLI print it.
    public var description: String { String(cString: csc_kernel_name(rawValue)) }

    /// Whether this CPU can run the kernel.
    public var isSupported: Bool { csc_kernel_supported(rawValue) != 0 }

    /// The kernels this CPU can run, scalar first.
    public static var supported: [ScoringKernel] { allCases.filter(\.isSupported) }

    /// The kernel scoring uses now.
    public static var active: ScoringKernel { ScoringKernel(rawValue: csc_kernel_active()) ?? .scalar }

    /// Looks a kernel up by the name it prints.
    public init?(name: String) {
        guard let kernel = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = kernel
    }

    /// Forces a kernel for the whole process (`nil` restores the automatic choice).
    public static func force(_ kernel: ScoringKernel?) throws {
        guard csc_kernel_force(kernel?.rawValue ?? 0) == 0 else {
            throw ScoringError(.unsupportedKernel, "kernel \(kernel!) is not supported on this CPU")
        }
    }
}
