// Stopping a long run cleanly: SIGINT/SIGTERM caught so the run can save its work first.
import Foundation

/// SIGINT and SIGTERM, caught so a long run can stop at the next step and save its work;
/// a second signal ends the process at once.
public final class StopSignals {
    private let sources: [DispatchSourceSignal]
    private static var count: Int32 = 0
    private static let lock = NSLock()

    /// The signal received (SIGINT 2, SIGTERM 15), 0 while none.
    public var received: Int32 {
        StopSignals.lock.lock()
        defer { StopSignals.lock.unlock() }
        return StopSignals.first
    }
    private static var first: Int32 = 0

    public init() {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                StopSignals.lock.lock()
                StopSignals.count += 1
                if StopSignals.first == 0 {
                    StopSignals.first = number
                }
                let again = StopSignals.count > 1
                StopSignals.lock.unlock()
                if again {
                    exit(128 + number)
                }
                FileHandle.standardError.write(
                    Data(
                        ("\nstopping at the end of this step "
                            + "(again to quit at once)\n").utf8))
            }
            source.resume()
            return source
        }
    }

    deinit {
        sources.forEach { $0.cancel() }
    }
}
