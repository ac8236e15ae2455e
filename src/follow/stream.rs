//! Stream splitting: the bytes of a stream (standard input, a compressed file) handed on as blocks of complete
//! lines, with the look-behind a stack trace's header may need kept in memory.

use super::tailer::MAX_PENDING;
use crate::scan::{Block, BlockCounts, LOOK_BEHIND};
use crate::source::Origin;

/// Complete lines of a stream (standard input, a compressed file) in blocks, with look-behind kept in memory.
pub struct StreamBlocks {
    file: u32,
    buf: Vec<u8>,
    /// Where unscanned bytes start in `buf`.
    start: usize,
    /// Stream offset of `buf[0]`.
    base: u64,
    /// Lines handed on.
    pub lines: u64,
    /// Bytes handed on.
    pub bytes: u64,
}

impl StreamBlocks {
    /// A stream that is file `file` of the table.
    pub fn new(file: u32) -> Self {
        StreamBlocks { file, buf: Vec::new(), start: 0, base: 0, lines: 0, bytes: 0 }
    }

    /// Adds bytes and hands on the complete lines among them.
    pub fn push(&mut self, data: &[u8], origin: &Origin, on_block: &mut dyn FnMut(&Block<'_>) -> BlockCounts) {
        self.buf.extend_from_slice(data);
        let end = match memchr::memrchr(b'\n', &self.buf[self.start..]) {
            Some(j) => self.start + j + 1,
            None if self.buf.len() - self.start >= MAX_PENDING => self.buf.len(),
            None => return,
        };
        self.emit(end, origin, on_block);
    }

    /// The end of the stream: hands on the last line even without its newline.
    pub fn finish(&mut self, origin: &Origin, on_block: &mut dyn FnMut(&Block<'_>) -> BlockCounts) {
        if self.buf.len() > self.start {
            let end = self.buf.len();
            self.emit(end, origin, on_block);
        }
    }

    fn emit(&mut self, end: usize, origin: &Origin, on_block: &mut dyn FnMut(&Block<'_>) -> BlockCounts) {
        let block = Block {
            buf: &self.buf[..end],
            start: self.start,
            file: self.file,
            origin,
            first_line: self.lines,
            base_offset: self.base,
        };
        let c = on_block(&block);
        self.lines += c.newlines;
        self.bytes += (end - self.start) as u64;
        self.start = end;
        let keep_from = self.start.saturating_sub(LOOK_BEHIND);
        self.buf.drain(..keep_from);
        self.base += keep_from as u64;
        self.start -= keep_from;
    }
}
