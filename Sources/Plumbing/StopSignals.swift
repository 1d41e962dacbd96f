// Stopping a long run cleanly: SIGINT/SIGTERM routed to one thread of our own, so that a run can
// save its work first, and so that no signal handler runs on a computing thread's stack.
import Foundation

/// The write end of the pipe the signal handler writes a caught signal's number to.
nonisolated(unsafe) private var signalPipeWrite: Int32 = -1

/// SIGINT and SIGTERM go to one thread of our own. A signal handler runs on whichever thread
/// the signal lands on, and oneDNN's JIT kernels may have the stack pointer somewhere a handler
/// frame must not be written (a SIGTERM during training corrupted the heap that way). So the
/// two are blocked in every thread started after `start()` (every tool calls it first); the
/// threads that already exist (OpenBLAS starts its pool when it is loaded) run only ordinary
/// code, and the handler there only writes the signal's number to a pipe, which our thread
/// reads. While no `StopSignals` is alive, a signal ends the process as it would by default; a
/// signal the parent set to be ignored (a background job's SIGINT) stays ignored.
public enum SignalRouting {
    private static let lock = NSLock()
    private static var started = false

    public static func start() {
        lock.lock()
        defer { lock.unlock() }
        guard !started else { return }
        started = true
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return }
        signalPipeWrite = ends[1]
        let readEnd = ends[0]
        var routed = sigset_t()
        sigemptyset(&routed)
        for number in [SIGINT, SIGTERM] {
            let previous = signal(
                number,
                { number in
                    var byte = UInt8(truncatingIfNeeded: number)
                    _ = write(signalPipeWrite, &byte, 1)
                })
            let ignored = previous.map { unsafeBitCast($0, to: Int.self) } == unsafeBitCast(SIG_IGN, to: Int.self)
            if ignored {
                signal(number, SIG_IGN)
            } else {
                sigaddset(&routed, number)
            }
        }
        let toUnblock = routed
        let waiter = Thread {
            var unblocked = toUnblock
            pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
            while true {
                var byte: UInt8 = 0
                let count = read(readEnd, &byte, 1)
                if count < 0 && errno == EINTR {
                    continue
                }
                guard count == 1 else { return }
                let number = Int32(byte)
                if !StopSignals.deliver(number) {
                    signal(number, SIG_DFL)  // as if never caught: ends the process by this signal
                    raise(number)
                }
            }
        }
        waiter.name = "signals"
        pthread_sigmask(SIG_BLOCK, &routed, nil)
        waiter.start()
    }
}

/// A long run's stop request: the first SIGINT or SIGTERM is recorded (the run stops at the
/// next step and saves its work); a second one, a second or more after the first, ends the
/// process at once (exit 128 + the signal's number, without saving). Signals within that second
/// are the same request delivered twice — a container or systemd stopping every process at once
/// reaches the job and a grid runner that forwards it the same signal — not a user asking again.
public final class StopSignals {
    private static let lock = NSLock()
    private static var alive = 0
    private static var first: Int32 = 0
    private static var firstAt: UInt64 = 0
    /// Repeats closer than this to the first signal count as the first.
    static let repeatWindowNanoseconds: UInt64 = 1_000_000_000

    /// The signal received (SIGINT 2, SIGTERM 15), 0 while none.
    public var received: Int32 {
        StopSignals.lock.lock()
        defer { StopSignals.lock.unlock() }
        return StopSignals.first
    }

    public init() {
        SignalRouting.start()
        StopSignals.lock.lock()
        StopSignals.alive += 1
        StopSignals.lock.unlock()
    }

    deinit {
        StopSignals.lock.lock()
        StopSignals.alive -= 1
        StopSignals.lock.unlock()
    }

    /// From the signal thread: false when no run is listening (the signal then acts as by default).
    static func deliver(_ number: Int32) -> Bool {
        lock.lock()
        guard alive > 0 else {
            lock.unlock()
            return false
        }
        let now = DispatchTime.now().uptimeNanoseconds
        let again = first != 0
        if again, now - firstAt < repeatWindowNanoseconds {
            lock.unlock()
            return true
        }
        if !again {
            first = number
            firstAt = now
        }
        lock.unlock()
        if again {
            // _exit, not exit: exit runs the libraries' destructors on this thread while the
            // computing threads go on (oneDNN unmapped the JIT kernel one of them was running:
            // a second SIGTERM during training ended in SIGSEGV, exit 139). Outputs are written
            // atomically, so nothing half-written is left by skipping them.
            _exit(128 + number)
        }
        FileHandle.standardError.write(Data("\nstopping at the end of this step (again to quit at once)\n".utf8))
        return true
    }
}
