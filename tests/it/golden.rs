//! Golden files: the text report of the shipped fixtures, byte for byte (the run's duration and rate taken out),
//! whole (as a pipe gets it) and cut to terminals of 80 and 120 columns (`--width`, which stands for the
//! terminal's width). A change to what the text report says shows up here as a diff to review;
//! `UPDATE_GOLDEN=1 cargo test golden` rewrites the files after a deliberate change. The Markdown golden file is
//! checked in `reports.rs`.

use crate::util::*;

/// The summary line's duration and rate, the only parts of a text report that differ between identical runs.
fn normalise(text: &str) -> String {
    text.lines()
        .map(|l| match (l.find(" lines in "), l.find(" MiB/s)")) {
            (Some(a), Some(b)) if l.starts_with("stackscan:") => {
                format!("{} lines in <time> (<rate>{}", &l[..a], &l[b + " MiB/s".len()..])
            }
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn check(name: &str, args: &[&str]) {
    let o = run(args);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = normalise(&stdout(&o));
    let path = root().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if got != want {
        let first = got.lines().zip(want.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "{name}: the text report changed (first difference at line {}):\n  got:  {}\n  want: {}\n\
             (review, then UPDATE_GOLDEN=1 cargo test golden)",
            first + 1,
            got.lines().nth(first).unwrap_or(""),
            want.lines().nth(first).unwrap_or("")
        );
    }
}

#[test]
fn text_report_of_the_linux_tree() {
    check("linux.txt", &["scan", "--color", "never", "fixtures/linux"]);
}

#[test]
fn text_report_of_kubectl_captures() {
    check("kubectl.txt", &["scan", "--color", "never", "fixtures/kubectl"]);
}

#[test]
fn text_report_of_a_crlf_capture_with_a_stack_trace() {
    check("crlf.txt", &["scan", "--color", "never", "fixtures/edge/crlf.log"]);
}

#[test]
fn text_report_on_a_terminal_80_columns_wide() {
    check("linux-80.txt", &["scan", "--color", "never", "--width", "80", "fixtures/linux"]);
}

#[test]
fn text_report_on_a_terminal_120_columns_wide() {
    check("kubectl-120.txt", &["scan", "--color", "never", "--width", "120", "fixtures/kubectl"]);
}
