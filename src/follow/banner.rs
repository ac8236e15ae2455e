//! What tail mode tells a person at a terminal about itself: one line at start saying what is followed (the paths,
//! how many files, inotify or polling, the checkpoint, the other outputs), and one line at the end saying whether
//! the checkpoint was written, so that a Ctrl-C is never a guess. Pure: the follow loop prints them on stderr.

use crate::frame::escape::escape;
use crate::model::Component;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How changes are noticed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watching {
    /// inotify (or the platform's watcher).
    Inotify,
    /// A listing and a read at this interval.
    Poll(Duration),
}

fn paths_text(paths: &[PathBuf]) -> String {
    const SHOWN: usize = 3;
    let mut shown: Vec<String> =
        paths.iter().take(SHOWN).map(|p| escape(&p.display().to_string()).into_owned()).collect();
    if paths.len() > SHOWN {
        shown.push(format!("{} more", paths.len() - SHOWN));
    }
    shown.join(", ")
}

fn interval(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

/// The line at start when following files: `following 17 files in DIR, DIR (inotify); checkpoint FILE (resumed);
/// metrics on …`.
pub fn start_files(
    paths: &[PathBuf],
    files: usize,
    watching: Watching,
    state: Option<&Path>,
    resumed: bool,
    outputs: Option<&str>,
) -> String {
    let how = match watching {
        Watching::Inotify => "inotify".to_string(),
        Watching::Poll(d) => format!("polling every {}", interval(d)),
    };
    let cp = match state {
        Some(s) => {
            format!("checkpoint {}{}", escape(&s.display().to_string()), if resumed { " (resumed)" } else { " (new)" })
        }
        None => "no checkpoint".to_string(),
    };
    let mut line =
        format!("following {files} file{} in {} ({how}); {cp}", if files == 1 { "" } else { "s" }, paths_text(paths));
    if let Some(o) = outputs {
        line.push_str("; ");
        line.push_str(o);
    }
    line
}

/// The line at start when following standard input.
pub fn start_stdin(component: Option<Component>, outputs: Option<&str>) -> String {
    let mut line = "following standard input".to_string();
    if let Some(c) = component {
        line.push_str(&format!(" (component {c})"));
    }
    line.push_str("; no checkpoint (standard input cannot be resumed)");
    if let Some(o) = outputs {
        line.push_str("; ");
        line.push_str(o);
    }
    line
}

/// Why tail mode stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// A signal (SIGINT, SIGTERM).
    Signal(i32),
    /// The end of standard input.
    EndOfInput,
    /// Standard output was closed (`stackscan follow | head -1`).
    OutputClosed,
}

/// What became of the checkpoint at the end.
#[derive(Debug)]
pub enum Saved<'a> {
    /// Written there.
    Written(&'a Path),
    /// Not written, with why.
    Failed(&'a Path, &'a std::io::Error),
    /// None is kept (`--no-state`, standard input).
    None,
}

/// The line at the end: `SIGTERM: checkpoint written to FILE`, or why it was not.
pub fn stop(why: Stop, saved: &Saved<'_>) -> String {
    let why = match why {
        Stop::Signal(signal_hook::consts::SIGINT) => "SIGINT".to_string(),
        Stop::Signal(signal_hook::consts::SIGTERM) => "SIGTERM".to_string(),
        Stop::Signal(n) => format!("signal {n}"),
        Stop::EndOfInput => "end of input".to_string(),
        Stop::OutputClosed => "output closed".to_string(),
    };
    match saved {
        Saved::Written(p) => format!("{why}: checkpoint written to {}; stopped", escape(&p.display().to_string())),
        Saved::Failed(p, e) => format!(
            "{why}: checkpoint NOT written to {}: {e}; the next run resumes from the previous checkpoint (lines read \
             since then are read again, events since then may be announced again)",
            escape(&p.display().to_string())
        ),
        Saved::None => format!("{why}: stopped (no checkpoint is kept)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_start_line_says_what_is_followed() {
        let paths = [PathBuf::from("/opt/stackstate/var/log"), PathBuf::from("/var/log/stackstate-agent")];
        let l = start_files(&paths, 17, Watching::Inotify, Some(Path::new("/var/lib/stackscan/s.json")), true, None);
        assert_eq!(
            l,
            "following 17 files in /opt/stackstate/var/log, /var/log/stackstate-agent (inotify); checkpoint \
             /var/lib/stackscan/s.json (resumed)"
        );
        let many: Vec<PathBuf> = (0..5).map(|i| PathBuf::from(format!("/l/{i}\x1b[2J"))).collect();
        let l = start_files(&many, 1, Watching::Poll(Duration::from_millis(250)), None, false, Some("metrics on x"));
        assert_eq!(
            l,
            "following 1 file in /l/0\\x1b[2J, /l/1\\x1b[2J, /l/2\\x1b[2J, 2 more (polling every 250ms); no \
             checkpoint; metrics on x"
        );
        assert_eq!(
            start_stdin(Some(Component::Receiver), None),
            "following standard input (component receiver); no checkpoint (standard input cannot be resumed)"
        );
    }

    #[test]
    fn the_stop_line_says_whether_the_checkpoint_was_written() {
        let p = Path::new("/s.json");
        assert_eq!(
            stop(Stop::Signal(signal_hook::consts::SIGTERM), &Saved::Written(p)),
            "SIGTERM: checkpoint written to /s.json; stopped"
        );
        let e = std::io::Error::other("No space left on device");
        let l = stop(Stop::Signal(signal_hook::consts::SIGINT), &Saved::Failed(p, &e));
        assert!(l.starts_with("SIGINT: checkpoint NOT written to /s.json: No space left on device;"), "{l}");
        assert_eq!(stop(Stop::EndOfInput, &Saved::None), "end of input: stopped (no checkpoint is kept)");
    }
}
