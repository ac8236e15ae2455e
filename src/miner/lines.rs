//! Mining every line of a text (`stackscan templates`): each line's message, or the whole line, goes to one
//! miner, optionally only the lines whose header says WARN or ERROR and above, and optionally remembering
//! which template each line went to (for scoring the miner on labelled data).
//!
//! Blocks of lines can be mined apart (on several threads) and joined in order with [`LineMiner::absorb`]: the
//! arrival ids remembered resolve, through the joined miner, to each line's final template.

use super::{Config, Miner, TemplateId};
use crate::frame::header;
use crate::frame::prefix::{self, Mode};
use crate::model::Level;

/// What of a line is mined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    /// The line as it is.
    WholeLine,
    /// The message after the line's capture prefix and header ([`header::split`]).
    AfterHeader,
}

/// A miner fed lines.
#[derive(Debug, Clone)]
pub struct LineMiner {
    miner: Miner,
    message: Message,
    /// Only lines whose header level is at least this.
    level: Option<Level>,
    /// Capture prefixes (stern's need the input's first lines to be told).
    mode: Mode,
    /// The stamp of the next line: lines counted so far (the blocks before this one's included).
    next: u64,
    /// Per line, the id its template had when it arrived (0: not mined), when assignments are kept.
    assigned: Option<Vec<TemplateId>>,
}

impl LineMiner {
    /// A miner of lines, numbered from `first_line` (0-based), keeping each line's template when `assign`.
    pub fn new(cfg: Config, message: Message, level: Option<Level>, first_line: u64, assign: bool) -> Self {
        LineMiner {
            miner: Miner::new(cfg),
            message,
            level,
            mode: Mode::Auto,
            next: first_line,
            assigned: assign.then(Vec::new),
        }
    }

    /// Reads capture prefixes as `mode` says (see [`prefix::detect`]).
    pub fn mode(&mut self, mode: Mode) -> &mut Self {
        self.mode = mode;
        self
    }

    /// Mines the lines of `buf` (a final line without `\n` counts as a line).
    pub fn block(&mut self, buf: &[u8]) {
        let mut start = 0;
        while start < buf.len() {
            let end = memchr::memchr(b'\n', &buf[start..]).map_or(buf.len(), |i| start + i);
            self.line(&buf[start..end]);
            start = end + 1;
        }
    }

    /// Mines one line (without its `\n`).
    pub fn line(&mut self, raw: &[u8]) {
        let stamp = self.next;
        self.next += 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let text = String::from_utf8_lossy(raw);
        let id = match self.message {
            Message::WholeLine if self.level.is_none() => Some(self.miner.add(&text, stamp)),
            _ => {
                let st = prefix::strip(text.as_bytes(), self.mode);
                let content = String::from_utf8_lossy(&st.content);
                let split = header::split(&content);
                let wanted = self.level.is_none_or(|l| split.level.is_some_and(|x| x >= l));
                let message = if self.message == Message::WholeLine { &text[..] } else { split.message };
                wanted.then(|| self.miner.add(message, stamp))
            }
        };
        if let Some(a) = &mut self.assigned {
            a.push(id.unwrap_or(0));
        }
    }

    /// Joins the miner of the lines that follow this one's (see [`Miner::absorb`]).
    pub fn absorb(&mut self, other: LineMiner) {
        self.miner.absorb(other.miner);
        self.next = self.next.max(other.next);
        if let (Some(a), Some(b)) = (&mut self.assigned, other.assigned) {
            a.extend(b);
        }
    }

    /// Lines read so far (the blocks before this one's included).
    pub fn lines(&self) -> u64 {
        self.next
    }

    /// The miner.
    pub fn miner(&self) -> &Miner {
        &self.miner
    }

    /// Per line, the final template it is in (`None`: not mined, or its template was evicted), when kept.
    pub fn assignments(&self) -> Option<impl Iterator<Item = Option<TemplateId>> + '_> {
        let a = self.assigned.as_ref()?;
        Some(a.iter().map(|&id| {
            if id == 0 {
                return None;
            }
            let r = self.miner.resolve(id);
            self.miner.get(r).map(|t| t.id())
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_joined_in_order_assign_like_one_pass() {
        let text: String = (0..600)
            .map(|i| match i % 3 {
                0 => {
                    format!("2024-03-12 10:00:{:02},000 [main] ERROR a.B - job {i} failed on host-{}\n", i % 60, i % 7)
                }
                1 => format!("2024-03-12 10:00:{:02},000 [main] INFO  a.B - job {i} done in {} ms\n", i % 60, i * 3),
                _ => format!(
                    "2024-03-12 10:00:{:02},000 [main] WARN  a.B - queue {} is {}% full\n",
                    i % 60,
                    i % 5,
                    i % 100
                ),
            })
            .collect();
        let mut one = LineMiner::new(Config::default(), Message::AfterHeader, None, 0, true);
        one.block(text.as_bytes());
        let cut = text.match_indices('\n').nth(250).map(|(i, _)| i + 1).unwrap_or(0);
        let mut a = LineMiner::new(Config::default(), Message::AfterHeader, None, 0, true);
        a.block(&text.as_bytes()[..cut]);
        let mut b = LineMiner::new(Config::default(), Message::AfterHeader, None, a.lines(), true);
        b.block(&text.as_bytes()[cut..]);
        a.absorb(b);
        let ids = |m: &LineMiner| m.assignments().map(|v| v.collect::<Vec<_>>()).unwrap_or_default();
        assert_eq!(ids(&a), ids(&one));
        assert_eq!(one.miner().len(), 3);
        assert_eq!(a.lines(), 600);
        let mut errors = LineMiner::new(Config::default(), Message::AfterHeader, Some(Level::Error), 0, true);
        errors.block(text.as_bytes());
        assert_eq!(errors.miner().len(), 1);
        assert_eq!(ids(&errors).iter().filter(|x| x.is_some()).count(), 200);
        let mut whole = LineMiner::new(Config::default(), Message::WholeLine, None, 0, false);
        whole.block(text.as_bytes());
        assert!(whole.miner().templates().all(|t| t.text().starts_with("<*>")), "the header stays in");
    }
}
