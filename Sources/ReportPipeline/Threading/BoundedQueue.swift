import Foundation

/// A first-in-first-out queue between two threads, bounded by the weight of what it holds (records and
/// bytes, not just items): a full queue blocks its sender, so memory stays bounded however fast the
/// sender is. Each side is woken only when it waits, and a sender blocked on a full queue only once the
/// queue has drained to half: a wake-up per item cost more than the item for an mbox of small messages.
/// Closing it drops what it holds and what is sent afterwards, and lets a waiting sender go.
final class BoundedQueue<Element>: @unchecked Sendable {
    // @unchecked: every access to the stored state happens with `condition` locked, and elements are
    // handed from one thread to the other, never shared.
    private let condition = NSCondition()
    /// Taken elements leave `nil` behind (so that nothing they hold outlives them) until the array is
    /// compacted.
    private var buffer: [Element?] = []
    private var head = 0
    /// The weight of the elements queued.
    private var weight = 0
    private let capacity: Int
    private let weigh: (Element) -> Int
    private var senderWaits = false
    private var receiverWaits = false
    private var closed = false

    /// - Parameters:
    ///   - capacity: the most weight queued (an element heavier than that still goes into an empty queue).
    ///   - weigh: an element's weight (at least 1).
    init(capacity: Int, weigh: @escaping (Element) -> Int) {
        self.capacity = capacity
        self.weigh = weigh
    }

    /// Whether the queue was closed.
    var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    /// Whether a sender waits for room: a signal for tests, which must not guess it from time.
    var senderIsWaiting: Bool {
        condition.lock()
        defer { condition.unlock() }
        return senderWaits
    }

    /// Whether an element is waiting (a ``receive()`` would not wait).
    var hasElement: Bool {
        condition.lock()
        defer { condition.unlock() }
        return buffer.count > head
    }

    /// Stops the queue: what it holds and what is sent from now on is dropped, and a waiting sender goes.
    func close() {
        condition.lock()
        closed = true
        buffer = []
        head = 0
        weight = 0
        condition.broadcast()
        condition.unlock()
    }

    /// Appends an element, waiting while the queue is too full for it.
    /// - Returns: `false` when the queue is closed (the element was dropped).
    @discardableResult
    func send(_ element: Element) -> Bool {
        let cost = weigh(element)
        condition.lock()
        while weight > 0 && weight + cost > capacity && !closed {
            senderWaits = true
            condition.wait()
        }
        senderWaits = false
        if closed {
            condition.unlock()
            return false
        }
        buffer.append(element)
        weight += cost
        if receiverWaits { condition.broadcast() }
        condition.unlock()
        return true
    }

    /// Puts an element back at the front (a receiver that took one too early).
    func sendFront(_ element: Element) {
        condition.lock()
        if head > 0 {
            head -= 1
            buffer[head] = element
        } else {
            buffer.insert(element, at: 0)
        }
        weight += weigh(element)
        condition.unlock()
    }

    /// Takes the oldest element, waiting while the queue is empty.
    func receive() -> Element {
        receive(until: nil)!
    }

    /// Takes the oldest element, waiting while the queue is empty but no later than `deadline`; `nil`
    /// when none came by then.
    func receive(until deadline: Date?) -> Element? {
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
        let element = buffer[head].take()!
        head += 1
        weight -= weigh(element)
        if head >= 64 && head * 2 >= buffer.count {
            buffer.removeFirst(head)
            head = 0
        }
        if senderWaits && weight <= capacity / 2 { condition.broadcast() }
        condition.unlock()
        return element
    }
}

/// A value that one thread sets once and others wait for.
final class OneShot<Value>: @unchecked Sendable {
    // @unchecked: `value` is read and written with `condition` locked, and set once.
    private let condition = NSCondition()
    private var value: Value?

    init() {}

    /// Sets the value (a second call is ignored) and wakes every waiter.
    func set(_ newValue: Value) {
        condition.lock()
        if value == nil { value = newValue }
        condition.broadcast()
        condition.unlock()
    }

    /// The value if it is set, without waiting.
    var current: Value? {
        condition.lock()
        defer { condition.unlock() }
        return value
    }

    /// The value, waiting for it.
    func wait() -> Value {
        condition.lock()
        defer { condition.unlock() }
        while value == nil { condition.wait() }
        return value!
    }
}
