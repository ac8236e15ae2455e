//! `cargo bench --bench score`: the template miner's Grouping Accuracy and FGA on each labelled Loghub-2k system,
//! whole-line and raw, through `stackscan templates --assign` (see `ga/mod.rs`). Reads
//! `../shared/corpus/{loghub,loghub-templates}` relative to the crate; prints a notice when they are absent.

mod ga;

fn main() {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !shared.join("loghub-templates").is_dir() {
        eprintln!("NOTICE: {} is absent: nothing to score", shared.join("loghub-templates").display());
        return;
    }
    let tmp = std::env::temp_dir().join(format!("stackscan-score-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&tmp);
    let rows = ga::score_all(std::path::Path::new(env!("CARGO_BIN_EXE_stackscan")), &shared, &tmp);
    let _ = std::fs::remove_dir_all(&tmp);
    match rows {
        Ok(rows) => print!("{}", ga::table(&rows).0),
        Err(e) => {
            eprintln!("score: {e}");
            std::process::exit(2);
        }
    }
}
