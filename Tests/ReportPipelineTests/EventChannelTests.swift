import Foundation
import ReportModel
import Testing

@testable import ReportPipeline

@Suite struct EventChannelTests {
    /// Polls `condition` for up to five seconds.
    func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func increment() { lock.withLock { value += 1 } }
        var current: Int { lock.withLock { value } }
    }

    /// A queue of capacity 10 with `count` batches of weight 5 sent to it from a thread of its own,
    /// once that thread waits with two sent (a third would exceed the capacity); the counter says how
    /// many went.
    func fullChannel(sending count: Int) -> (EventChannel, Counter) {
        let channel = EventChannel(capacity: 10)
        let batch = ImportEvent.records(Array(repeating: ReportRecord(), count: 4))
        #expect(batch.weight == 5)
        let sent = Counter()
        let sender = Thread {
            for _ in 0..<count {
                channel.send(batch)
                sent.increment()
            }
        }
        sender.start()
        #expect(eventually { sent.current == 2 })
        usleep(100_000)
        #expect(sent.current == 2, "the queue is full: the sender waits")
        return (channel, sent)
    }

    @Test func closingLetsAWaitingReaderGoAndDropsWhatIsSentAfter() {
        let (channel, sent) = fullChannel(sending: 5)
        channel.close()
        #expect(eventually { sent.current == 5 }, "closed: the reader is let go, and does not wait again")
        #expect(channel.isClosed)
        #expect(channel.receive(until: Date() + 0.05) == nil, "nothing sent is kept once closed")
    }

    @Test func theReaderWaitsWhenTheQueuedWeightIsAtCapacityAndGoesOnOnceHalfIsTaken() {
        let (channel, sent) = fullChannel(sending: 3)
        guard case .records(let first)? = channel.receive(until: Date() + 5) else {
            Issue.record("no batch received")
            return
        }
        #expect(first.count == 4)
        #expect(eventually { sent.current == 3 })
    }

    @Test func anEventHeavierThanTheCapacityGoesIntoAnEmptyQueue() {
        let channel = EventChannel(capacity: 10)
        channel.send(.records(Array(repeating: ReportRecord(), count: 50)))
        guard case .records(let records)? = channel.receive(until: Date() + 5) else {
            Issue.record("no batch received")
            return
        }
        #expect(records.count == 50)
        #expect(channel.receive(until: Date() + 0.05) == nil)
    }

    @Test func eventsComeOutInOrderAndOnePutBackComesFirst() {
        let channel = EventChannel(capacity: 100)
        for count in 1...5 { channel.send(.discovered(count)) }
        var received: [Int] = []
        for _ in 0..<2 {
            if case .discovered(let count)? = channel.receive(until: Date() + 1) { received.append(count) }
        }
        channel.sendFront(.discovered(0))
        while case .discovered(let count)? = channel.receive(until: Date() + 0.05) { received.append(count) }
        #expect(received == [1, 2, 0, 3, 4, 5])
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
