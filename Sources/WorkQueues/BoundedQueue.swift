import Foundation

/// The weight that one or more ``BoundedQueue``s may hold together: a sender waits while it is used up,
/// so memory stays bounded however fast the sending thread is. A sender blocked on a full budget is woken
/// only once it has drained to half: a wake-up per element cost more than the element for an mbox of
/// small messages.
public final class QueueBudget: @unchecked Sendable {
    // @unchecked: every access to the stored state happens with `condition` locked.
    private let condition = NSCondition()
    public let capacity: Int
    private var used = 0
    private var senderWaits = false

    public init(capacity: Int) {
        self.capacity = capacity
    }

    /// Whether a sender waits for room: a signal for tests, which must not guess it from time.
    public var senderIsWaiting: Bool {
        condition.lock()
        defer { condition.unlock() }
        return senderWaits
    }

    /// Takes `cost`, waiting while the budget is too used for it (an element heavier than the whole
    /// budget still goes when nothing else is held) and `stop` is false.
    /// - Returns: `false` when `stop` became true (nothing was taken).
    fileprivate func acquire(_ cost: Int, unless stop: () -> Bool) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while used > 0 && used + cost > capacity {
            if stop() { return false }
            senderWaits = true
            condition.wait()
        }
        senderWaits = false
        if stop() { return false }
        used += cost
        return true
    }

    fileprivate func release(_ cost: Int) {
        guard cost > 0 else { return }
        condition.lock()
        used -= cost
        if senderWaits && used <= capacity / 2 { condition.broadcast() }
        condition.unlock()
    }

    /// Wakes every waiting sender (a queue was closed: its sender must see it).
    fileprivate func wakeSenders() {
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }
}

/// A first-in-first-out queue between two threads, bounded by the weight of what it holds (records and
/// bytes, not just elements), alone or together with other queues sharing its ``QueueBudget``. The
/// sender ends it (the receiver takes what is left, then learns it ended) or the receiver closes it
/// (what it holds and what is sent afterwards is dropped, and a waiting sender goes).
public final class BoundedQueue<Element>: @unchecked Sendable {
    // @unchecked: every access to the stored state happens with `condition` locked, and elements are
    // handed from one thread to the other, never shared.
    private let condition = NSCondition()
    /// Taken elements leave `nil` behind (so that nothing they hold outlives them) until the array is
    /// compacted: a ring without a package (swift-collections' Deque would do the same).
    private var buffer: [Element?] = []
    private var head = 0
    private var weight = 0
    private let budget: QueueBudget
    private let weigh: (Element) -> Int
    private var receiverWaits = false
    private var closed = false
    private var ended = false

    /// A queue with a budget of its own.
    /// - Parameters:
    ///   - capacity: the most weight queued (an element heavier than that still goes into an empty queue).
    ///   - weigh: an element's weight (at least 1).
    public convenience init(capacity: Int, weigh: @escaping (Element) -> Int) {
        self.init(sharing: QueueBudget(capacity: capacity), weigh: weigh)
    }

    /// A queue whose elements count against `budget`, with those of other queues.
    public init(sharing budget: QueueBudget, weigh: @escaping (Element) -> Int) {
        self.budget = budget
        self.weigh = weigh
    }

    /// Whether the receiver closed the queue.
    public var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    /// Whether a sender waits for room in the budget.
    public var senderIsWaiting: Bool { budget.senderIsWaiting }

    /// Whether an element is waiting (a ``receive()`` would not wait for one).
    public var hasElement: Bool {
        condition.lock()
        defer { condition.unlock() }
        return buffer.count > head
    }

    /// Appends an element, waiting while the budget is too used for it.
    /// - Returns: `false` when the queue is closed (the element was dropped).
    @discardableResult
    public func send(_ element: Element) -> Bool {
        let cost = weigh(element)
        guard budget.acquire(cost, unless: { isClosed }) else { return false }
        condition.lock()
        if closed {
            condition.unlock()
            budget.release(cost)
            return false
        }
        buffer.append(element)
        weight += cost
        if receiverWaits { condition.broadcast() }
        condition.unlock()
        return true
    }

    /// No more elements will be sent: the receiver takes what is queued, then learns that it ended.
    public func end() {
        condition.lock()
        ended = true
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the queue from the receiving side: what it holds and what is sent from now on is dropped,
    /// and a waiting sender goes.
    public func close() {
        condition.lock()
        closed = true
        let dropped = weight
        buffer = []
        head = 0
        weight = 0
        condition.broadcast()
        condition.unlock()
        budget.release(dropped)
        budget.wakeSenders()
    }

    /// What waiting for an element came to.
    public enum Received {
        case element(Element)
        /// Nothing came by the deadline.
        case timedOut
        /// The queue ended (or was closed) and holds nothing more.
        case ended
    }

    /// Takes the oldest element, waiting for one; `nil` once the queue has ended (or was closed) and is
    /// empty.
    public func receive() -> Element? {
        if case .element(let element) = receive(until: nil) { return element }
        return nil
    }

    /// Takes the oldest element, waiting for one but no later than `deadline` (`nil`: without limit).
    public func receive(until deadline: Date?) -> Received {
        condition.lock()
        while buffer.count == head {
            if ended || closed {
                condition.unlock()
                return .ended
            }
            receiverWaits = true
            if let deadline {
                if !condition.wait(until: deadline) && buffer.count == head && !ended && !closed {
                    receiverWaits = false
                    condition.unlock()
                    return .timedOut
                }
            } else {
                condition.wait()
            }
        }
        receiverWaits = false
        // swift-format-ignore: NeverForceUnwrap
        let element = buffer[head].take()!
        head += 1
        let cost = weigh(element)
        weight -= cost
        if head >= 64 && head * 2 >= buffer.count {
            buffer.removeFirst(head)
            head = 0
        }
        condition.unlock()
        budget.release(cost)
        return .element(element)
    }
}

/// A value that one thread sets once and others wait for.
public final class OneShot<Value>: @unchecked Sendable {
    // @unchecked: `value` is read and written with `condition` locked, and set once.
    private let condition = NSCondition()
    private var value: Value?

    public init() {}

    /// Sets the value (a second call is ignored) and wakes every waiter.
    public func set(_ newValue: Value) {
        condition.lock()
        if value == nil { value = newValue }
        condition.broadcast()
        condition.unlock()
    }

    /// The value if it is set, without waiting.
    public var current: Value? {
        condition.lock()
        defer { condition.unlock() }
        return value
    }

    /// The value, waiting for it.
    public func wait() -> Value {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let value { return value }
            condition.wait()
        }
    }
}
