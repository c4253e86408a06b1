//! The plain spans fix-its build on: where branches begin, where a `use` goes, what the file
//! imports, and what each argument spans.

use crate::ir::{BranchEntry, Rvalue, StmtKind, UseSite};

use super::lower;

fn entries(src: &str) -> Vec<String> {
    let file = lower(src);
    let blocks = file.functions.iter().flat_map(|f| &f.blocks);
    blocks
        .filter_map(|block| block.entry)
        .map(|entry| match entry {
            BranchEntry::Body { span, braced } => {
                format!("body {braced} `{}`", &src[span.start..span.end])
            }
            BranchEntry::MissingElse { then_body, .. } => {
                format!("no else after `{}`", &src[then_body.start..then_body.end])
            }
        })
        .collect()
}

#[test]
fn match_arms_and_if_branches_are_marked() {
    let src = "fn f() { match r { A => loop {}, B => { g(); } } if let C = r { h(); } }";
    assert_eq!(
        entries(src),
        [
            "body false `loop {}`",
            "body true `{ g(); }`",
            "body true `{ h(); }`",
            "no else after `{ h(); }`"
        ]
    );
}

#[test]
fn a_use_goes_after_the_last_one_and_imports_are_listed() {
    let src = "use std::net::TcpStream;\nuse nix::unistd::fork as f;\n\nfn main() {}\n";
    let file = lower(src);
    let end = src.find("\n\n").unwrap();
    assert_eq!(file.use_site, Some(UseSite { at: end, after_use: true }));
    assert!(file.top_imports.contains(&("f".into(), "nix::unistd::fork".into())));
    let bare = lower("/// doc\nfn main() {}\n");
    assert_eq!(bare.use_site, Some(UseSite { at: 0, after_use: false }));
}

#[test]
fn call_and_method_arguments_carry_their_spans() {
    let src = "fn f() { let s = socket(A, B | C, None); s.shutdown(Shutdown::Both); }";
    let file = lower(src);
    let calls: Vec<Vec<&str>> = file.functions[0].blocks[0]
        .stmts
        .iter()
        .filter_map(|stmt| match &stmt.kind {
            StmtKind::Assign { value: Rvalue::Call(call), .. }
            | StmtKind::Eval(Rvalue::Call(call)) => {
                Some(call.arg_spans.iter().map(|s| &src[s.start..s.end]).collect())
            }
            _ => None,
        })
        .collect();
    assert_eq!(calls, [vec!["A", "B | C", "None"], vec!["s", "Shutdown::Both"]]);
}
