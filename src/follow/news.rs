//! New unexplained errors in tail mode: which templates to announce (`{"event":"unexplained",...}`), a pure state
//! machine like [`super::lifecycle`] (time passed in, no I/O).
//!
//! A template is announced once, when all of these hold:
//! - its records are at ERROR or above (or exceptions logged without a level);
//! - it first appeared at least `after_ms` (one minute) of log time after the first line followed: what a
//!   service logs as it starts, or what was already failing when following began, is the baseline, not news;
//! - it was not announced before: the flag is kept in the template itself ([`Detail::announced`]), in the
//!   checkpoint, so a restart announces nothing twice (a template that generalises or merges keeps it).
//!
//! At most `per_minute` are announced per minute of wall time; the others that became due meanwhile are not
//! announced one by one but counted, for a note: a burst of new errors does not flood the output.
//!
//! [`Detail::announced`]: crate::aggregate::unexplained::Detail::announced

use crate::aggregate::unexplained::Unexplained;
use crate::miner::TemplateId;
use crate::model::Component;
use crate::time::Millis;
use std::collections::VecDeque;

/// When and how often new templates are announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Announcements per minute of wall time, at most.
    pub per_minute: usize,
    /// Log time after the first line followed before templates count as new.
    pub after_ms: Millis,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { per_minute: 5, after_ms: 60_000 }
    }
}

/// The announcer: remembers when it last announced (wall time), for the rate limit.
#[derive(Debug, Clone, Default)]
pub struct News {
    settings: Settings,
    sent: VecDeque<i64>,
}

impl News {
    /// An announcer that has announced nothing yet.
    pub fn new(settings: Settings) -> Self {
        News { settings, sent: VecDeque::new() }
    }

    /// The templates of `u` to announce now (by first time), given the time of the first line followed
    /// (`log_start`) and a monotonic wall clock in milliseconds; marks them announced, and also those held back
    /// by the rate limit, whose number is returned.
    pub fn step(
        &mut self,
        u: &mut Unexplained,
        log_start: Option<Millis>,
        wall_ms: i64,
    ) -> (Vec<(Option<Component>, TemplateId)>, usize) {
        let Some(start) = log_start else { return (Vec::new(), 0) };
        let due = crate::correlate::unexplained::new_errors(u, start.saturating_add(self.settings.after_ms));
        if due.is_empty() {
            return (Vec::new(), 0);
        }
        while self.sent.front().is_some_and(|&t| wall_ms - t >= 60_000) {
            self.sent.pop_front();
        }
        let room = self.settings.per_minute.saturating_sub(self.sent.len()).min(due.len());
        for &(c, id) in &due {
            if let Some(d) = u.detail_mut(c, id) {
                d.announced = true;
            }
        }
        self.sent.extend(std::iter::repeat_n(wall_ms, room));
        let held = due.len() - room;
        let mut due = due;
        due.truncate(room);
        (due, held)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Level;

    const MIN: Millis = 60_000;

    /// Mines one ERROR record of `message` at log time `t`.
    fn record(u: &mut Unexplained, message: &str, t: Millis, level: Level) {
        u.miner(Some(Component::Receiver)).add_with(message, t as u64, |d| d.add(Some(level), Some(t), 0));
    }

    #[test]
    fn announces_new_errors_once_after_the_first_minute() {
        let mut u = Unexplained::default();
        let mut n = News::new(Settings::default());
        record(&mut u, "Heap almost full on node alpha", 10_000, Level::Error);
        assert_eq!(n.step(&mut u, Some(0), 0), (vec![], 0), "the first minute is the baseline");
        record(&mut u, "Receiver crashed: java.lang.OutOfMemoryError", 2 * MIN, Level::Error);
        record(&mut u, "Slow disk", 2 * MIN, Level::Warn);
        let (news, held) = n.step(&mut u, Some(0), 1_000);
        assert_eq!((news.len(), held), (1, 0));
        assert_eq!(n.step(&mut u, Some(0), 2_000), (vec![], 0), "announced once");
        record(&mut u, "Receiver crashed: java.lang.OutOfMemoryError", 3 * MIN, Level::Error);
        assert_eq!(n.step(&mut u, Some(0), 3_000), (vec![], 0), "more records of it are not news");
        // The flag survives a checkpoint.
        let mut back: Unexplained = serde_json::from_str(&serde_json::to_string(&u).expect("save")).expect("load");
        assert_eq!(News::new(Settings::default()).step(&mut back, Some(0), 0), (vec![], 0));
    }

    #[test]
    fn a_burst_is_rate_limited_and_counted() {
        let mut u = Unexplained::default();
        let mut n = News::new(Settings { per_minute: 2, after_ms: MIN });
        for w in ["Disk", "Network", "Memory", "Thread", "Socket"] {
            record(&mut u, &format!("{w} failure happened"), 5 * MIN, Level::Error);
        }
        let (news, held) = n.step(&mut u, Some(0), 0);
        assert_eq!((news.len(), held), (2, 3));
        record(&mut u, "Another failure entirely", 6 * MIN, Level::Fatal);
        assert_eq!(n.step(&mut u, Some(0), 30_000), (vec![], 1), "no room left this minute");
        record(&mut u, "Yet another failure", 7 * MIN, Level::Error);
        assert_eq!(n.step(&mut u, Some(0), 61_000).0.len(), 1, "a minute later there is room again");
    }
}
