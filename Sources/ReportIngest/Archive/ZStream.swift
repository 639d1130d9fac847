import CZlibShim

extension z_stream {
    /// Points zlib at the next input bytes.
    mutating func setInput(_ base: UnsafeRawPointer, count: Int) {
        next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        avail_in = uInt(count)
    }

    /// One call of inflate filling `output` from its start: zlib's status and how many bytes it wrote.
    mutating func inflateStep(into output: inout [UInt8]) -> (status: Int32, produced: Int) {
        output.withUnsafeMutableBufferPointer { buffer in
            next_out = buffer.baseAddress
            avail_out = uInt(buffer.count)
            let status = CZlibShim.inflate(&self, Z_NO_FLUSH)
            return (status, buffer.count - Int(avail_out))
        }
    }
}
