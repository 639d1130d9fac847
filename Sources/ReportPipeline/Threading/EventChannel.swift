import Foundation

/// A bounded first-in-first-out queue between the reading thread and the writing thread. A full queue
/// blocks the reader, so memory stays bounded however fast the reader is.
final class EventChannel: @unchecked Sendable {
    // @unchecked: every access to `buffer` and `head` happens with `condition` locked.
    private let condition = NSCondition()
    private var buffer: [ImportEvent] = []
    private var head = 0
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Appends an event, waiting while the queue is full.
    func send(_ event: ImportEvent) {
        condition.lock()
        while buffer.count - head >= capacity { condition.wait() }
        buffer.append(event)
        condition.broadcast()
        condition.unlock()
    }

    /// Puts an event back at the front (the writer peeked at the end of the stream too early).
    func sendFront(_ event: ImportEvent) {
        condition.lock()
        if head > 0 {
            head -= 1
            buffer[head] = event
        } else {
            buffer.insert(event, at: 0)
        }
        condition.broadcast()
        condition.unlock()
    }

    /// Takes the oldest event, waiting while the queue is empty.
    func receive() -> ImportEvent {
        receive(until: nil)!
    }

    /// Takes the oldest event, waiting while the queue is empty but no later than `deadline`; `nil` when
    /// none came by then.
    func receive(until deadline: Date?) -> ImportEvent? {
        condition.lock()
        while buffer.count == head {
            guard let deadline else {
                condition.wait()
                continue
            }
            if !condition.wait(until: deadline) && buffer.count == head {
                condition.unlock()
                return nil
            }
        }
        let event = buffer[head]
        head += 1
        if head >= 64 && head * 2 >= buffer.count {
            buffer.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        condition.unlock()
        return event
    }
}
