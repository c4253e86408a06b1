//! Lowering never fails: syntax errors are recorded, deep nesting is bounded.

use expect_test::expect;

use super::{check, lower};

#[test]
fn syntax_error_is_recorded() {
    check(
        "fn ok() {}\nfn f() { let = 1; }",
        expect![[r#"
        error 24..25: expected one of: identifier, `::`, `<`, `_`, literal, `const`, `ref`, `mut`, `&`, parentheses, square brackets, `..`, `const`
    "#]],
    );
    check(
        "fn f( { let = ; }",
        expect![[r#"
        error 4..4: cannot parse string into token stream
    "#]],
    );
}

/// syn parses recursively; `lower` runs it on a thread with a large stack, and our own
/// lowering stops at a fixed depth.
#[test]
fn deeply_nested_parentheses_and_blocks() {
    let depth = 5000;
    let parens = format!("fn f() {{ let x = {}g(){}; }}", "(".repeat(depth), ")".repeat(depth));
    let file = lower(&parens);
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    assert_eq!(file.functions.len(), 1);

    let blocks = format!("fn f() {{ let x = {}g(){}; }}", "{".repeat(depth), "}".repeat(depth));
    let file = lower(&blocks);
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    assert_eq!(file.functions.len(), 1);

    let calls = format!("fn f() {{ {}1{}; }}", "g(".repeat(depth), ")".repeat(depth));
    let file = lower(&calls);
    assert_eq!(file.functions.len(), 1);
}

#[test]
fn dead_code_and_odd_shapes_do_not_panic() {
    let file = lower(
        r#"
fn f() { break; continue; return; loop {} let x = 1; }
fn g() -> ! { panic!() }
fn h() { let [a, .., b] = arr; match x { 1..=3 => {}, _ if y => {}, } }
macro_rules! m { () => {} }
fn i() { m!(); foo::<u8>(); (self.cb)(1); }
"#,
    );
    assert!(file.errors.is_empty());
    assert_eq!(file.functions.len(), 4);
}
/// Beyond what even the big stack is sure to take, the file is refused with an error.
#[test]
fn nesting_beyond_the_limit_is_an_error() {
    let depth = 20_000;
    let blocks = format!("fn f() {{ let x = {}g(){}; }}", "{".repeat(depth), "}".repeat(depth));
    let file = lower(&blocks);
    assert!(file.functions.is_empty());
    assert_eq!(file.errors.len(), 1);
    assert!(file.errors[0].message.contains("nested deeper"), "{:?}", file.errors);
}

/// Long chains are flat in the source but deep in the tree.
#[test]
fn long_chains_are_bounded() {
    let length = 20_000;
    let chain = format!(
        "fn f() {{ let x = 1{}; let y = a{}; let z = {}x; }}",
        "+1".repeat(length),
        ".b()".repeat(length),
        "!".repeat(length)
    );
    let file = lower(&chain);
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    assert_eq!(file.functions.len(), 1);
}

/// Brackets inside comments, strings and char literals do not count towards the limit.
#[test]
fn nesting_guard_skips_literals_and_comments() {
    use crate::frontend::rust::nesting::too_deep_at;
    assert_eq!(too_deep_at("fn f() { \"(((\" /* ((( */ // (((\n '(' }", 2), None);
    assert_eq!(too_deep_at("((( /* /* */ ( */", 2), Some(2));
}
