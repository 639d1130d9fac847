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

    /// Whether no event is waiting.
    var isEmpty: Bool {
        condition.lock()
        defer { condition.unlock() }
        return buffer.count == head
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
        condition.lock()
        while buffer.count == head { condition.wait() }
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
