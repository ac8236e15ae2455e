//! Scoring the template miner on the labelled Loghub-2k systems (`../shared/corpus/loghub-templates/`, the
//! corrected ground truth of logpai/logparser): Grouping Accuracy (GA: a line is right when the set of lines in
//! its predicted group equals the set in its true group) and FGA (F1 over groups: a predicted group is right
//! when its lines are exactly a true group's). Predictions come from the binary, `stackscan templates --assign
//! --threads 1`: whole-line mode on the labels' `Content` column (`--whole-line`), raw mode on the raw lines with
//! stackscan's own header detection.
//!
//! Shared by `benches/score.rs` (`cargo bench --bench score`: the table) and the integration test that holds the
//! averages to their targets.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The systems with corrected labels (the other five of the sixteen are kept for an independent check).
pub const LABELLED: [&str; 11] = [
    "Android",
    "Apache",
    "HDFS",
    "HPC",
    "Hadoop",
    "OpenSSH",
    "Proxifier",
    "Spark",
    "Thunderbird",
    "Windows",
    "Zookeeper",
];

/// One labelled system.
pub struct System {
    pub name: String,
    /// The raw log (`<name>_2k.log`).
    pub raw: PathBuf,
    /// Per labelled line: its line number in the raw log (1-based), its message, its true event.
    pub lines: Vec<(usize, String, String)>,
}

/// Parses CSV text (RFC 4180: quoted fields, `""` for a quote, newlines inside quotes).
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            c => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// Loads a system's labels (`<name>_2k.log_structured_corrected.csv` in `labels`) and its raw log (in `corpus`).
pub fn load(labels: &Path, corpus: &Path, name: &str) -> Result<System, String> {
    let csv = labels.join(format!("{name}_2k.log_structured_corrected.csv"));
    let text = std::fs::read_to_string(&csv).map_err(|e| format!("{}: {e}", csv.display()))?;
    let rows = parse_csv(&text);
    let head = rows.first().ok_or_else(|| format!("{}: empty", csv.display()))?;
    let col = |c: &str| head.iter().position(|h| h == c).ok_or_else(|| format!("{}: no column {c}", csv.display()));
    let (li, ci, ei) = (col("LineId")?, col("Content")?, col("EventId")?);
    let mut lines = Vec::new();
    for r in &rows[1..] {
        if r.len() <= li.max(ci).max(ei) {
            continue;
        }
        let id: usize = r[li].parse().map_err(|e| format!("{}: LineId {:?}: {e}", csv.display(), r[li]))?;
        lines.push((id, r[ci].clone(), r[ei].clone()));
    }
    Ok(System { name: name.to_string(), raw: corpus.join(format!("{name}_2k.log")), lines })
}

/// `stackscan templates --assign --threads 1 [--whole-line] input`: each line's template id (`-`: none).
pub fn assign(bin: &Path, input: &Path, whole_line: bool) -> Result<Vec<String>, String> {
    let mut c = Command::new(bin);
    c.args(["templates", "--assign", "--threads", "1"]);
    if whole_line {
        c.arg("--whole-line");
    }
    let o = c.arg(input).output().map_err(|e| format!("{}: {e}", bin.display()))?;
    if !o.status.success() {
        return Err(format!("templates --assign {}: {}", input.display(), String::from_utf8_lossy(&o.stderr)));
    }
    Ok(String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| l.split_once('\t').map_or(String::new(), |(_, id)| id.to_string()))
        .collect())
}

/// GA, FGA, predicted groups, true groups.
pub fn score(pred: &[String], truth: &[String]) -> (f64, f64, usize, usize) {
    let mut true_size: HashMap<&str, usize> = HashMap::new();
    for t in truth {
        *true_size.entry(t).or_default() += 1;
    }
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in pred.iter().enumerate() {
        groups.entry(p).or_default().push(i);
    }
    let (mut right_lines, mut right_groups) = (0, 0);
    for lines in groups.values() {
        let t = &truth[lines[0]];
        if lines.iter().all(|&i| truth[i] == *t) && true_size[t.as_str()] == lines.len() {
            right_lines += lines.len();
            right_groups += 1;
        }
    }
    let ga = right_lines as f64 / truth.len().max(1) as f64;
    let p = right_groups as f64 / groups.len().max(1) as f64;
    let r = right_groups as f64 / true_size.len().max(1) as f64;
    let fga = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
    (ga, fga, groups.len(), true_size.len())
}

/// One system's scores: (GA, FGA, predicted groups, true groups) in whole-line mode and in raw mode.
pub struct Row {
    pub name: String,
    pub whole: (f64, f64, usize, usize),
    pub raw: (f64, f64, usize, usize),
}

/// Scores a system through the binary, `tmp` holding the messages file.
pub fn score_system(bin: &Path, s: &System, tmp: &Path) -> Result<Row, String> {
    let truth: Vec<String> = s.lines.iter().map(|l| l.2.clone()).collect();
    let messages = tmp.join(format!("{}.content", s.name));
    let text: String = s.lines.iter().map(|l| format!("{}\n", l.1)).collect();
    std::fs::write(&messages, text).map_err(|e| format!("{}: {e}", messages.display()))?;
    let whole = score(&assign(bin, &messages, true)?, &truth);
    let raw_ids = assign(bin, &s.raw, false)?;
    let raw_pred: Vec<String> = s.lines.iter().map(|l| raw_ids.get(l.0 - 1).cloned().unwrap_or_default()).collect();
    let raw = score(&raw_pred, &truth);
    Ok(Row { name: s.name.clone(), whole, raw })
}

/// The table of rows, with the averages last; returns it and the averages (GA, FGA, raw GA, raw FGA).
pub fn table(rows: &[Row]) -> (String, (f64, f64, f64, f64)) {
    let mut out = format!(
        "{:<12} {:>7} {:>7} {:>10}   {:>7} {:>7} {:>6}\n",
        "system", "GA", "FGA", "pred/true", "raw GA", "raw FGA", "pred"
    );
    let n = rows.len().max(1) as f64;
    let mut avg = (0.0, 0.0, 0.0, 0.0);
    for r in rows {
        out.push_str(&format!(
            "{:<12} {:>7.3} {:>7.3} {:>10}   {:>7.3} {:>7.3} {:>6}\n",
            r.name,
            r.whole.0,
            r.whole.1,
            format!("{}/{}", r.whole.2, r.whole.3),
            r.raw.0,
            r.raw.1,
            r.raw.2
        ));
        avg = (avg.0 + r.whole.0 / n, avg.1 + r.whole.1 / n, avg.2 + r.raw.0 / n, avg.3 + r.raw.1 / n);
    }
    out.push_str(&format!(
        "{:<12} {:>7.3} {:>7.3} {:>10}   {:>7.3} {:>7.3}\n",
        "average", avg.0, avg.1, "", avg.2, avg.3
    ));
    (out, avg)
}

/// Scores every labelled system found under `shared` (`../shared/corpus`).
pub fn score_all(bin: &Path, shared: &Path, tmp: &Path) -> Result<Vec<Row>, String> {
    let (labels, corpus) = (shared.join("loghub-templates"), shared.join("loghub"));
    LABELLED.iter().map(|name| score_system(bin, &load(&labels, &corpus, name)?, tmp)).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_with_quotes() {
        let rows = super::parse_csv("a,b\n1,\"x, \"\"y\"\"\"\n");
        assert_eq!(rows, vec![vec!["a", "b"], vec!["1", "x, \"y\""]]);
    }
}
