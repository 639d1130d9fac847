import Foundation

/// A bounded first-in-first-out queue between the reading thread and the writing thread. It is bounded by
/// the events' ``ImportEvent/weight`` (records and bytes they hold): a full queue blocks the reader, so
/// memory stays bounded however fast the reader is. Each side is woken only when it waits, and a reader
/// blocked on a full queue only once the queue has drained to half: a wake-up per event cost more than
/// the event for an mbox of small messages.
final class EventChannel: @unchecked Sendable {
    // @unchecked: every access to the stored state happens with `condition` locked.
    private let condition = NSCondition()
    private var buffer: [ImportEvent] = []
    private var head = 0
    /// The weight of the events queued.
    private var weight = 0
    private let capacity: Int
    private var senderWaits = false
    private var receiverWaits = false

    /// - Parameter capacity: the most weight queued (an event heavier than that still goes into an empty
    ///   queue).
    init(capacity: Int) {
        self.capacity = capacity
    }

    private var closed = false

    /// Whether the writer has stopped taking events (the database could not be opened).
    var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    /// Stops the queue: events sent from now on are dropped, and a sender waiting is let go.
    func close() {
        condition.lock()
        closed = true
        buffer = []
        head = 0
        weight = 0
        condition.broadcast()
        condition.unlock()
    }

    /// Appends an event, waiting while the queue is too full for it.
    func send(_ event: ImportEvent) {
        let cost = event.weight
        condition.lock()
        while weight > 0 && weight + cost > capacity && !closed {
            senderWaits = true
            condition.wait()
        }
        senderWaits = false
        if closed {
            condition.unlock()
            return
        }
        buffer.append(event)
        weight += cost
        if receiverWaits { condition.broadcast() }
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
        weight += event.weight
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
            receiverWaits = true
            guard let deadline else {
                condition.wait()
                continue
            }
            if !condition.wait(until: deadline) && buffer.count == head {
                receiverWaits = false
                condition.unlock()
                return nil
            }
        }
        receiverWaits = false
        let event = buffer[head]
        head += 1
        weight -= event.weight
        if head >= 64 && head * 2 >= buffer.count {
            buffer.removeFirst(head)
            head = 0
        }
        if senderWaits && weight <= capacity / 2 { condition.broadcast() }
        condition.unlock()
        return event
    }
}
