//! Lowering never fails: syntax errors are recorded, deep nesting is bounded.

use expect_test::expect;

use super::{check, lower};

#[test]
fn syntax_error_is_recorded() {
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
