import Foundation
import ReportModel
import Testing
import WorkQueues

@testable import ReportPipeline

/// The queue between the import's threads: bounded by weight, in order, closable. Waits are observed
/// through the queue's own state (a sender waiting), never guessed from time.
@Suite struct BoundedQueueTests {
    /// Polls `condition` until it holds (giving up after five seconds, which only a broken queue takes).
    func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<5_000 {
            if condition() { return true }
            usleep(1_000)
        }
        return condition()
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func increment() { lock.withLock { value += 1 } }
        var current: Int { lock.withLock { value } }
    }

    final class Payload {}

    /// What the receiver took and let go is freed: the queue keeps no reference to it (the kept
    /// originals' chunks are a megabyte each, and dozens of them once stayed alive in a queue's array).
    @Test func anElementTakenIsNotKeptAliveByTheQueue() {
        let queue = BoundedQueue<Payload>(capacity: 100) { _ in 1 }
        weak var taken: Payload?
        do {
            let payload = Payload()
            taken = payload
            queue.send(payload)
            queue.send(Payload())
            _ = queue.receive()
        }
        #expect(taken == nil)
    }

    /// A queue of capacity 10 (an element weighs its value) with `count` elements of weight 5 sent to it
    /// from a thread of its own, once that thread waits with two sent (a third would exceed the
    /// capacity); the counter says how many went.
    func fullQueue(sending count: Int) -> (BoundedQueue<Int>, Counter) {
        let queue = BoundedQueue<Int>(capacity: 10) { $0 }
        let sent = Counter()
        let sender = Thread {
            for _ in 0..<count {
                queue.send(5)
                sent.increment()
            }
        }
        sender.start()
        #expect(eventually { queue.senderIsWaiting })
        #expect(sent.current == 2, "the queue is full: the sender waits")
        return (queue, sent)
    }

    @Test func closingLetsAWaitingSenderGoAndDropsWhatIsSentAfter() {
        let (queue, sent) = fullQueue(sending: 5)
        queue.close()
        #expect(eventually { sent.current == 5 }, "closed: the sender is let go, and does not wait again")
        #expect(queue.isClosed)
        #expect(!queue.hasElement, "nothing sent is kept once closed")
        #expect(queue.send(5) == false)
    }

    @Test func theSenderWaitsAtCapacityAndGoesOnOnceHalfIsTaken() {
        let (queue, sent) = fullQueue(sending: 3)
        #expect(queue.receive() == 5)
        #expect(eventually { sent.current == 3 })
    }

    @Test func anElementHeavierThanTheCapacityGoesIntoAnEmptyQueue() {
        let queue = BoundedQueue<Int>(capacity: 10) { $0 }
        #expect(queue.send(50))
        #expect(queue.receive() == 50)
        #expect(!queue.hasElement)
        if case .timedOut = queue.receive(until: Date.distantPast) {} else { Issue.record("an element came") }
    }

    @Test func elementsComeOutInOrderAndTheEndAfterTheLast() {
        let queue = BoundedQueue<Int>(capacity: 100) { _ in 1 }
        for value in 1...5 { queue.send(value) }
        queue.end()
        var received: [Int] = []
        while let value = queue.receive() { received.append(value) }
        #expect(received == [1, 2, 3, 4, 5])
        if case .ended = queue.receive(until: Date.distantPast) {} else { Issue.record("the queue did not end") }
    }

    /// Queues sharing a budget bound what they hold together: the reader fills one input's parts while
    /// the writer still takes another's, and memory holds the budget, not a budget per input.
    @Test func queuesSharingABudgetWaitForEachOther() {
        let budget = QueueBudget(capacity: 10)
        let first = BoundedQueue<Int>(sharing: budget) { $0 }
        let second = BoundedQueue<Int>(sharing: budget) { $0 }
        #expect(first.send(8))
        let sent = Counter()
        let sender = Thread {
            second.send(5)
            sent.increment()
        }
        sender.start()
        #expect(eventually { second.senderIsWaiting })
        #expect(sent.current == 0, "the budget is used by the other queue")
        #expect(first.receive() == 8)
        #expect(eventually { sent.current == 1 })
        #expect(second.receive() == 5)
    }

    /// Closing a queue releases what it held into the budget and lets its own waiting sender go.
    @Test func closingAQueueReleasesItsShareOfTheBudget() {
        let budget = QueueBudget(capacity: 10)
        let first = BoundedQueue<Int>(sharing: budget) { $0 }
        let second = BoundedQueue<Int>(sharing: budget) { $0 }
        #expect(first.send(8))
        first.close()
        #expect(second.send(8), "the closed queue's share is free again")
        #expect(!first.send(1))
    }

    @Test func partsWeighTheirRecords() {
        #expect(InputPart.records(Array(repeating: ReportRecord(), count: 4), reportedEnd: nil).weight == 5)
        #expect(InputPart.reportBegins(part: nil).weight == 1)
    }
}

@Suite struct OneShotTests {
    @Test func aWaiterGetsTheFirstValueSetFromAnotherThread() {
        let shot = OneShot<Int>()
        #expect(shot.current == nil)
        let thread = Thread {
            shot.set(7)
            shot.set(8)
        }
        thread.start()
        #expect(shot.wait() == 7)
        #expect(shot.current == 7)
    }
}
