//! The progress line of a long scan: on a terminal's stderr, once a scan has run for a while (a second by
//! default), one line redrawn a few times a second: what the walk has found and where it is, then inputs and
//! bytes done, the rate and the input being read. Cleared when the scan ends, so the report starts on a clean
//! line. Only ever started when stderr is a terminal and `--quiet` was not given ([`crate::cli::config`]).
//!
//! A thread polls the library's [`Progress`] counters; the scan itself only adds to atomics.

use stackscan::frame::escape::escape;
use stackscan::report::human::{self, count, cut, thousands};
use stackscan::source::progress::{Progress, Snapshot};
use std::io::Write;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often the line is redrawn.
const TICK: Duration = Duration::from_millis(150);

/// A running progress line.
pub struct ProgressLine {
    stop: mpsc::Sender<()>,
    thread: JoinHandle<()>,
}

impl ProgressLine {
    /// Starts the thread: it draws after `delay`, reading `progress`, and names inputs from `names` once set.
    pub fn start(progress: Arc<Progress>, names: Arc<OnceLock<Vec<String>>>, delay: Duration) -> std::io::Result<Self> {
        let (stop, stopped) = mpsc::channel();
        let thread = std::thread::Builder::new().name("stackscan-progress".into()).spawn(move || {
            let started = Instant::now();
            // The last sample before the scan began (its start lies between it and the next): the rate counts
            // from there. Samples are taken from the start, drawn or not.
            let mut scan_base = started;
            let mut drawn = false;
            let mut err = std::io::stderr();
            // With no delay the first line is drawn at once, even for a scan shorter than a tick.
            let mut wait = if delay.is_zero() { Duration::ZERO } else { TICK };
            loop {
                match stopped.recv_timeout(std::mem::replace(&mut wait, TICK)) {
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
                    Err(RecvTimeoutError::Timeout) => {}
                }
                let snap = progress.snapshot();
                if !snap.scanning {
                    scan_base = Instant::now();
                }
                if started.elapsed() < delay {
                    continue;
                }
                let width = terminal_size::terminal_size_of(std::io::stderr()).map_or(80, |(w, _)| w.0 as usize);
                let text = line(&snap, names.get().map(Vec::as_slice), scan_base.elapsed(), width);
                // Carriage return, the line, erase to its end: redrawn in place.
                if write!(err, "\r{text}\x1b[K").and_then(|_| err.flush()).is_err() {
                    return;
                }
                drawn = true;
            }
            if drawn {
                let _ = write!(err, "\r\x1b[K");
                let _ = err.flush();
            }
        })?;
        Ok(ProgressLine { stop, thread })
    }

    /// Stops the thread and clears the line.
    pub fn finish(self) {
        let _ = self.stop.send(());
        let _ = self.thread.join();
    }
}

/// The line for a snapshot, at most `width - 1` columns (the last column of a terminal wraps on some).
/// `scanning_for`: the time since the scan began (rates count from it).
fn line(s: &Snapshot, names: Option<&[String]>, scanning_for: Duration, width: usize) -> String {
    let room = width.saturating_sub(1).max(20);
    let (head, path) = if !s.scanning {
        let head = format!("stackscan: walking: {} in {}", count(s.found, "file"), count(s.dirs, "directory"));
        (head, s.walking.as_ref().map(|p| p.display().to_string()))
    } else {
        let bytes = if s.bytes_total > 0 && s.bytes_done <= s.bytes_total {
            format!("{} of {}", human::bytes(s.bytes_done), human::bytes(s.bytes_total))
        } else {
            human::bytes(s.bytes_done)
        };
        let ms = scanning_for.as_millis() as u64;
        let head = format!(
            "stackscan: {} of {} files, {bytes}, {}",
            thousands(s.files_done),
            thousands(s.files_total),
            human::rate(s.bytes_done, ms)
        );
        (head, s.current.and_then(|i| names.and_then(|n| n.get(i)).cloned()))
    };
    let head = cut(&head, room).into_owned();
    match path {
        Some(p) if human::columns(&head) + 8 < room => {
            // The end of a path says more than its start: cut from the left.
            let p = escape(&p).into_owned();
            let left = room - human::columns(&head) - 3;
            let shown = if human::columns(&p) <= left {
                p
            } else {
                let tail: String = p.chars().rev().collect();
                let cut_tail = cut(&tail, left).into_owned();
                let mut kept: Vec<char> = cut_tail.chars().collect();
                kept.pop();
                kept.reverse();
                format!("…{}", kept.into_iter().collect::<String>())
            };
            format!("{head} — {shown}")
        }
        _ => head,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fit_and_say_where_they_are() {
        let walking =
            Snapshot { dirs: 12, found: 1, walking: Some("/var/log/pods/ns_pod_uid/c".into()), ..Snapshot::default() };
        assert_eq!(
            line(&walking, None, Duration::ZERO, 120),
            "stackscan: walking: 1 file in 12 directories — /var/log/pods/ns_pod_uid/c"
        );
        let names = vec!["/opt/stackstate/var/log/kafka-to-es/kafkaMultiMetricsToES.log".to_string()];
        let scanning = Snapshot {
            scanning: true,
            files_total: 17,
            files_done: 3,
            bytes_total: 3 * 1_048_576,
            bytes_done: 1_048_576,
            current: Some(0),
            ..Snapshot::default()
        };
        let l = line(&scanning, Some(&names), Duration::from_secs(2), 200);
        assert_eq!(l, "stackscan: 3 of 17 files, 1.0 MiB of 3.0 MiB, 0.5 MiB/s — /opt/stackstate/var/log/kafka-to-es/kafkaMultiMetricsToES.log");
        let narrow = line(&scanning, Some(&names), Duration::from_secs(2), 80);
        assert!(human::columns(&narrow) < 80, "{narrow}");
        assert!(narrow.ends_with("MultiMetricsToES.log") && narrow.contains(" — …"), "the path's end: {narrow}");
    }
}
