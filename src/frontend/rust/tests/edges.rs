//! The spans read off a node's first and last token (`spans`, `edges`) are exactly
//! `Spanned::span`'s, on every expression, pattern, path, `let`, macro statement and signature
//! of the Rust fixtures, the synthetic corpus and a sample of rarer shapes.

use std::path::Path;

use syn::visit::{self, Visit};

use crate::corpus::{large_file, CorpusSpec};
use crate::ir::{Language, Span};

use super::super::spans::{
    expr_span, local_span, pat_span, path_span, signature_start, stmt_macro_span,
};
use super::super::{offsets, parse_source, span_of, WORKER_STACK_BYTES};

const RARE_SHAPES: &str = r#"
#![allow(unused)]
use std::io;
#[inline]
pub async unsafe fn f<'a, T: Clone>(x: &'a mut T, (a, b): (u8, u8), _: [u8; 2]) -> Result<(), E>
where
    T: Copy,
{
    let v = #[allow(unused)] 1 + 2;
    let (r, r2, r3, r4) = (.., 1..=2, ..x, a..);
    let c = move |x: u8| -> u8 { x + 1 };
    let d = async move { g().await };
    let e = || 1;
    let f = -1i32 as i64 as u8 as *const [u8] as &dyn Fn(u8) -> u8 as fn() -> !;
    let g = &mut *x; let h = !true; let i = [0u8; 4]; let j = [1, 2]; let k = (1,); let l = ();
    let m = x.0.1; let n = Vec::<u8>::new(); let o = <Vec<u8> as Default>::default();
    let p = S { a: 1, ..Default::default() };
    let q: fn(u8) -> u8 = |y| y;
    let raw = &raw const x;
    'outer: loop { break 'outer; }
    let s = 'blk: { break 'blk 5 };
    while let Some(x) = it.next() { continue; }
    'l: for (i, x) in v.iter().enumerate() { continue 'l; }
    match x {
        1 | 2 => {}
        -1 => {}
        0..=9 => {}
        ref mut y @ Some(_) => {}
        S { a, .. } => {}
        [a, .., b] => {}
        &(a, b) => {}
        _ if cond && !other => {}
        E::V(..) => {}
        <T>::C => {}
        (x) => {}
        _ => return,
    }
    if a {} else if b {} else {}
    let Some(z) = opt else { panic!("no") };
    println!("{}", x);
    vec![1, 2, 3];
    m! {}
    unsafe { libc::fork() };
    const { 1 };
    x?;
    r#try;
    f::<u8>(1);
    ::std::process::exit(1);
    (x as u8) < 1;
    x = y; x += 1; *p = 2;
    #[cfg(x)] g();
    yield_now().await;
    break;
    return Ok(());
}
impl<T> Trait for S<T> {
    const fn m(&self) -> Self::Out { self.f }
    extern "C" fn n(mut self: Box<Self>) {}
}
"#;

#[test]
fn cheap_spans_equal_spanned_spans() {
    let mut texts: Vec<String> = vec![RARE_SHAPES.to_string()];
    texts.push(large_file(Language::Rust, 1, 2_000));
    for index in (1..40).step_by(2) {
        texts.push(crate::corpus::corpus_file(CorpusSpec { files: 40, seed: 1 }, index).1);
    }
    collect_rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"), &mut texts);
    let worker = std::thread::Builder::new().stack_size(WORKER_STACK_BYTES);
    let handle = worker.spawn(move || texts.iter().map(|text| compare(text)).collect());
    let checked: Vec<usize> = handle.unwrap().join().unwrap();
    assert!(checked[0] > 300, "the rare shapes must parse: {checked:?}");
    assert!(checked.iter().sum::<usize>() > 10_000, "{checked:?}");
}

fn collect_rust_files(dir: &Path, texts: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for path in entries.flatten().map(|entry| entry.path()) {
        if path.is_dir() {
            collect_rust_files(&path, texts);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            texts.extend(std::fs::read_to_string(&path).ok());
        }
    }
}

/// Compares every node of one text; returns how many were compared.
fn compare(text: &str) -> usize {
    let _lines = offsets::install(text);
    let Ok(file) = parse_source(text) else { return 0 };
    let mut comparison = Comparison { text, checked: 0 };
    comparison.visit_file(&file);
    drop(file);
    proc_macro2::extra::invalidate_current_thread_spans();
    comparison.checked
}

struct Comparison<'t> {
    text: &'t str,
    checked: usize,
}

impl Comparison<'_> {
    fn same(&mut self, cheap: Span, spanned: Span) {
        let show = |span: Span| self.text.get(span.start..span.end).unwrap_or("?").to_string();
        assert_eq!(cheap, spanned, "`{}` against `{}`", show(cheap), show(spanned));
        self.checked += 1;
    }
}

impl<'ast> Visit<'ast> for Comparison<'_> {
    fn visit_expr(&mut self, expr: &'ast syn::Expr) {
        self.same(expr_span(expr), span_of(expr));
        visit::visit_expr(self, expr);
    }

    fn visit_pat(&mut self, pat: &'ast syn::Pat) {
        self.same(pat_span(pat), span_of(pat));
        visit::visit_pat(self, pat);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.same(path_span(path), span_of(path));
        visit::visit_path(self, path);
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        self.same(local_span(local), span_of(local));
        visit::visit_local(self, local);
    }

    fn visit_stmt_macro(&mut self, stmt: &'ast syn::StmtMacro) {
        self.same(stmt_macro_span(stmt), span_of(stmt));
        visit::visit_stmt_macro(self, stmt);
    }

    fn visit_signature(&mut self, sig: &'ast syn::Signature) {
        let start = signature_start(sig);
        self.same(Span::new(start, start), Span::new(span_of(sig).start, span_of(sig).start));
        visit::visit_signature(self, sig);
    }
}
