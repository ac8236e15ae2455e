//! Stream splitting: the bytes of a stream (standard input, a compressed file) handed on as blocks of complete
//! lines, with the look-behind a stack trace's header may need kept in memory.

use super::tailer::{last_record_start, ready_end, Hold};
use crate::scan::{detect_mode, Block, BlockCounts, LOOK_BEHIND};
use crate::source::Origin;
use crate::time::Zone;

/// The bytes of a stream's start its capture format is told from.
const HEAD: usize = 16 * 1024;

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
    /// The stream's first bytes (up to 16 KiB), from which its capture format is told, as a scan tells it.
    head: Vec<u8>,
    zone: Zone,
    /// Its last record, held back for the lines below it (live input only).
    waiting: Hold,
    /// The stream offset handing on starts at ([`Self::resume_at`]): the bytes before it were read before.
    skip: u64,
}

impl StreamBlocks {
    /// A stream that is file `file` of the table.
    pub fn new(file: u32, zone: Zone) -> Self {
        StreamBlocks {
            file,
            buf: Vec::new(),
            start: 0,
            base: 0,
            lines: 0,
            bytes: 0,
            head: Vec::new(),
            zone,
            waiting: Hold::default(),
            skip: 0,
        }
    }

    /// Hands on nothing before stream offset `offset`, where a read before stopped after `lines` lines (a
    /// followed file compressed after its rotation while stackscan was stopped): the bytes before it still give
    /// the capture format and the look-behind, and line numbers go on from `lines`.
    pub fn resume_at(mut self, offset: u64, lines: u64) -> Self {
        self.skip = offset;
        self.lines = lines;
        self
    }

    /// The last record waits at most `wait` for the lines below it ([`HOLD`](super::tailer::HOLD) unless set; zero:
    /// none waits).
    pub fn record_wait(mut self, wait: std::time::Duration) -> Self {
        self.waiting = Hold::new(wait);
        self
    }

    /// Adds bytes and hands on the complete lines among them but the last record, which waits for the lines below
    /// it (its stack trace may come in the next bytes): the next bytes hand it on, or [`Self::release_due`] once it
    /// has waited its time since `now` (live input), or [`Self::finish`].
    pub fn push(
        &mut self,
        data: &[u8],
        now: Option<std::time::Instant>,
        origin: &Origin,
        on_block: &mut dyn FnMut(&Block<'_>) -> BlockCounts,
    ) {
        self.buf.extend_from_slice(data);
        if !self.skipped() {
            return;
        }
        // A partial line (in a CRI capture, a split line without its final part) waits for its end. The capture
        // format is the one the head told so far, or, before any block, what has come.
        let head = if self.head.is_empty() { &self.buf[self.start..] } else { &self.head[..] };
        let mode = detect_mode(head, self.zone);
        let Some(end) = ready_end(&self.buf, self.start, mode == crate::frame::prefix::Mode::Cri) else { return };
        let last = last_record_start(&self.buf, self.start, end, mode);
        let upto = match now {
            Some(now) => {
                (self.waiting.until(self.base + last as u64, self.base + end as u64, now) - self.base) as usize
            }
            // Not live: the next bytes or the end hand the record on.
            None => last,
        };
        if upto > self.start {
            self.emit(upto, origin, on_block);
        }
    }

    /// Passes over the bytes before [`Self::resume_at`]'s offset as they come, keeping the head and look-behind
    /// they give: whether the offset is reached.
    fn skipped(&mut self) -> bool {
        let end = self.base + self.buf.len() as u64;
        let upto = self.skip.min(end);
        if upto <= self.base + self.start as u64 {
            return true;
        }
        let upto = (upto - self.base) as usize;
        if self.head.len() < HEAD {
            let take = (HEAD - self.head.len()).min(upto - self.start);
            self.head.extend_from_slice(&self.buf[self.start..self.start + take]);
        }
        self.start = upto;
        let keep_from = self.start.saturating_sub(LOOK_BEHIND);
        self.buf.drain(..keep_from);
        self.base += keep_from as u64;
        self.start -= keep_from;
        self.skip <= self.base + self.start as u64
    }

    /// Hands on the record held back once it has waited its time at `now` with no line below it.
    pub fn release_due(
        &mut self,
        now: std::time::Instant,
        origin: &Origin,
        on_block: &mut dyn FnMut(&Block<'_>) -> BlockCounts,
    ) {
        if let Some(ready) = self.waiting.due(now) {
            let end = (ready - self.base) as usize;
            if end > self.start {
                self.emit(end, origin, on_block);
            }
        }
    }

    /// When the record held back has waited its time, if one is held.
    pub fn hold_due(&self) -> Option<std::time::Instant> {
        self.waiting.due_at()
    }

    /// The end of the stream: hands on the last line even without its newline.
    pub fn finish(&mut self, origin: &Origin, on_block: &mut dyn FnMut(&Block<'_>) -> BlockCounts) {
        if self.buf.len() > self.start {
            let end = self.buf.len();
            self.emit(end, origin, on_block);
        }
    }

    fn emit(&mut self, end: usize, origin: &Origin, on_block: &mut dyn FnMut(&Block<'_>) -> BlockCounts) {
        // The capture format is told from the stream's first lines, the same for every block (a block that starts
        // among continuation lines or another pod's lines must not be read differently).
        if self.head.len() < HEAD {
            let take = (HEAD - self.head.len()).min(end - self.start);
            self.head.extend_from_slice(&self.buf[self.start..self.start + take]);
        }
        let block = Block {
            buf: &self.buf[..end],
            start: self.start,
            file: self.file,
            origin,
            first_line: self.lines,
            base_offset: self.base,
            mode: Some(detect_mode(&self.head, self.zone)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::follow::tailer::HOLD;
    use crate::model::Component;

    /// A CRI capture on stdin: the parts of a split line are handed on together, once its final part has come.
    #[test]
    fn a_split_line_waits_for_its_final_part() {
        let origin = Origin::of(Component::Receiver);
        let mut blocks: Vec<String> = Vec::new();
        let mut on_block = |b: &Block<'_>| {
            blocks.push(String::from_utf8_lossy(&b.buf[b.start..]).into_owned());
            BlockCounts { newlines: b.buf[b.start..].iter().filter(|&&c| c == b'\n').count() as u64, matches: 0 }
        };
        let mut s = StreamBlocks::new(0, Zone::UTC);
        let first = "2024-03-12T11:42:29.400405200Z stdout F 2024-03-12 11:42:29,400 INFO  a.B - up\n";
        let head = "2024-03-12T11:42:30.101102313Z stdout P 2024-03-12 11:42:30,101 ERROR a.B - Failed to\n";
        let tail = "2024-03-12T11:42:30.101102313Z stdout F  send messages to Kafka\n";
        s.push(first.as_bytes(), None, &origin, &mut on_block);
        s.push(head.as_bytes(), None, &origin, &mut on_block);
        s.push(tail.as_bytes(), None, &origin, &mut on_block);
        // The last record waits for the lines below it: the end of the input hands it on.
        s.finish(&origin, &mut on_block);
        assert_eq!(blocks, vec![first.to_string(), format!("{head}{tail}")]);
        assert_eq!(s.lines, 3);
    }

    /// Live input: the last record waits for the lines below it; the next record's header hands it on, and with
    /// nothing below it, it is handed on once it has waited `HOLD`.
    #[test]
    fn the_last_record_waits_for_its_stack_trace() {
        let origin = Origin::of(Component::KafkaToEs);
        let blocks = std::cell::RefCell::new(Vec::<String>::new());
        let mut on_block = |b: &Block<'_>| {
            blocks.borrow_mut().push(String::from_utf8_lossy(&b.buf[b.start..]).into_owned());
            BlockCounts { newlines: b.buf[b.start..].iter().filter(|&&c| c == b'\n').count() as u64, matches: 0 }
        };
        let t0 = std::time::Instant::now();
        let mut s = StreamBlocks::new(0, Zone::UTC);
        let header =
            "2024-03-12 11:42:39,197 [d-23] ERROR c.s.k.e.s.BulkIndexer - Failed to index batch of 250 events\n";
        let trace =
            "com.stackstate.kafkatoes.elasticsearch.BulkIndexingFailedException: failed\n\tat a.B.c(B.scala:1)\n";
        let next = "2024-03-12 11:43:00,092 [d-23] INFO  c.s.kafkatoes.KafkaToESStats - Processed 0 messages\n";
        s.push(header.as_bytes(), Some(t0), &origin, &mut on_block);
        s.push(trace.as_bytes(), Some(t0 + HOLD / 2), &origin, &mut on_block);
        s.release_due(t0 + HOLD / 2, &origin, &mut on_block);
        assert!(blocks.borrow().is_empty(), "{blocks:?}");
        s.push(next.as_bytes(), Some(t0 + HOLD / 2), &origin, &mut on_block);
        assert_eq!(*blocks.borrow(), vec![format!("{header}{trace}")]);
        // The last line waits, from when it came, then goes alone.
        s.release_due(t0 + HOLD, &origin, &mut on_block);
        assert_eq!(blocks.borrow().len(), 1);
        s.release_due(t0 + HOLD / 2 + HOLD, &origin, &mut on_block);
        assert_eq!(*blocks.borrow(), vec![format!("{header}{trace}"), next.to_string()]);
        assert_eq!(s.hold_due(), None);
        assert_eq!(s.lines, 4);
    }

    /// Resumed at an offset, whatever the pieces the bytes come in: only the lines from it are handed on, with their
    /// line numbers and the bytes before them as look-behind.
    #[test]
    fn a_resumed_stream_hands_on_what_follows_the_offset() {
        let origin = Origin::of(Component::Receiver);
        let text: String =
            (0..40).map(|i| format!("2024-03-12 11:42:{:02},400 INFO  a.B - line {i}\n", i % 60)).collect();
        let offset = text.match_indices('\n').nth(24).unwrap().0 as u64 + 1;
        for piece in [1, 7, 64, 4096] {
            let mut got: Vec<(u64, u64, String)> = Vec::new();
            let mut on_block = |b: &Block<'_>| {
                let text = String::from_utf8_lossy(&b.buf[b.start..]).into_owned();
                got.push((b.first_line, b.base_offset + b.start as u64, text));
                BlockCounts { newlines: b.buf[b.start..].iter().filter(|&&c| c == b'\n').count() as u64, matches: 0 }
            };
            let mut s = StreamBlocks::new(0, Zone::UTC).resume_at(offset, 25);
            for c in text.as_bytes().chunks(piece) {
                s.push(c, None, &origin, &mut on_block);
            }
            s.finish(&origin, &mut on_block);
            assert_eq!(got.first().map(|g| (g.0, g.1)), Some((25, offset)), "pieces of {piece}");
            let handed: String = got.iter().map(|g| g.2.as_str()).collect();
            assert_eq!(handed, text[offset as usize..], "pieces of {piece}");
            assert_eq!(s.lines, 40);
        }
    }
}
