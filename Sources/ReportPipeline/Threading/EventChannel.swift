/// The queue between the reading thread and the writing thread, bounded by the events'
/// ``ImportEvent/weight`` (records and bytes they hold).
typealias EventChannel = BoundedQueue<ImportEvent>

extension BoundedQueue where Element == ImportEvent {
    convenience init(capacity: Int) {
        self.init(capacity: capacity) { $0.weight }
    }
}
