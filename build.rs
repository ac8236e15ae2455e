//! Embeds the shipped rule pack (`rules/stackstate/*.toml`) into the binary, so `stackscan` works from any
//! directory without its source tree.

use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new("rules/stackstate");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "toml")).collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from("/// The shipped rule pack: (path relative to the crate, contents).\npub static EMBEDDED: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let abs = fs::canonicalize(f).expect("rule file path");
        out.push_str(&format!("    ({:?}, include_str!({:?})),\n", f.display().to_string(), abs.display().to_string()));
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("embedded_rules.rs");
    fs::write(dest, out).expect("write embedded_rules.rs");
}
